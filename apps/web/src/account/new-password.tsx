import { Field } from '../ui/field.tsx';

/**
 * What is wrong with a new password, in words, or undefined: the server takes 8 to 128 characters.
 *
 * @example
 * newPasswordProblem('short'); // 'Use at least 8 characters.'
 */
export function newPasswordProblem(password: string): string | undefined {
  if (!password) return 'Enter a new password.';
  if (password.length < 8) return 'Use at least 8 characters.';
  if (password.length > 128) return 'Use at most 128 characters.';
  return undefined;
}

/** The field a new password is typed in (`name="new-password"`), with the rule as its hint. */
export function NewPasswordField(props: {
  label: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  return (
    <Field
      {...props}
      type="password"
      name="new-password"
      autoComplete="new-password"
      hint="At least 8 characters."
    />
  );
}
