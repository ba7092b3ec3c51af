export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordProblem = 'too_short' | 'too_long' | 'too_few_classes' | 'contains_username' | 'whitespace';

/**
 * 等保 level 3 complexity rule: at least 8 characters from at least three of
 * lower case, upper case, digits and symbols, and not containing the user name.
 */
export function passwordProblems(password: string, username?: string): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  if (password.length < PASSWORD_MIN_LENGTH) problems.push('too_short');
  if (password.length > PASSWORD_MAX_LENGTH) problems.push('too_long');
  if (/\s/.test(password)) problems.push('whitespace');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9\s]/].filter((pattern) => pattern.test(password)).length;
  if (classes < 3) problems.push('too_few_classes');
  if (username && username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) {
    problems.push('contains_username');
  }
  return problems;
}
