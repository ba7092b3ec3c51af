import { passwordProblems } from '@safe-campus/domain';
import type { TFunction } from 'i18next';

/** antd rule running the domain complexity check; `username` read at validation time. */
export function passwordRule(t: TFunction, username: () => string | undefined) {
  return {
    validator: async (_rule: unknown, value: string | undefined) => {
      if (!value) return;
      const problems = passwordProblems(value, username());
      if (problems.length > 0) throw new Error(problems.map((problem) => t(`password.problem.${problem}`)).join('；'));
    },
  };
}
