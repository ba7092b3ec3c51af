import type { FormAnswers, validateAnswers } from '@safe-campus/domain';

/** One answer of a form (derived, so a rename of the domain's exported type does not ripple here). */
export type AnswerValue = FormAnswers[string];
/** One problem found by the domain's `validateAnswers`. */
export type FieldError = ReturnType<typeof validateAnswers>[number];

/** A prefilled answer of one field with where it comes from (「系统预填」 and its basis). */
export interface PrefilledField {
  value: AnswerValue;
  basis: string;
}
export type PrefilledFields = Record<string, PrefilledField | undefined>;

/** Problems keyed by field key (a table cell's problem goes to its table). */
export type FormProblems = Record<string, string[]>;

export function problemsByField(errors: readonly FieldError[]): FormProblems {
  const problems: FormProblems = {};
  for (const error of errors) {
    const key = error.field.split('[')[0] ?? error.field;
    const list = problems[key] ?? [];
    if (!list.includes(error.message)) list.push(error.message);
    problems[key] = list;
  }
  return problems;
}
