import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Field } from '../ui/field.tsx';
import { requestPasswordReset, signIn, signUp } from './auth-actions.ts';

export type Mode = 'sign-in' | 'sign-up' | 'forgot';
type FieldName = 'name' | 'email' | 'password';
type FieldErrors = Partial<Record<FieldName, string>>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validate(mode: Mode, values: Record<FieldName, string>): FieldErrors {
  const errors: FieldErrors = {};
  if (mode === 'sign-up' && !values.name.trim()) errors.name = 'Enter your name.';
  if (!values.email.trim()) errors.email = 'Enter your email address.';
  else if (!EMAIL.test(values.email.trim()))
    errors.email = 'Enter a valid email address, like name@example.com.';
  if (mode === 'forgot') return errors;
  if (!values.password) errors.password = 'Enter your password.';
  else if (mode === 'sign-up' && values.password.length < 8) {
    errors.password = 'Use at least 8 characters.';
  } else if (values.password.length > 128) errors.password = 'Use at most 128 characters.';
  return errors;
}

/** Sign in, or create an account; both leave a session cookie and hand over to the list. */
export function AuthScreen({
  notice,
  initialMode = 'sign-in',
  onSignedIn,
}: {
  notice?: string;
  initialMode?: Mode;
  onSignedIn: () => Promise<void>;
}) {
  const [mode, setMode] = useState<Mode>(initialMode);
  /** After a reset link was asked for: the same words whether or not the account exists. */
  const [sent, setSent] = useState(false);
  const [values, setValues] = useState<Record<FieldName, string>>({ name: '', email: '', password: '' });
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const firstField = useRef<HTMLInputElement>(null);
  const headingId = useId();

  useEffect(() => firstField.current?.focus(), []);

  const set = (name: FieldName) => (value: string) => setValues((current) => ({ ...current, [name]: value }));

  const switchMode = (next: Mode) => {
    setMode(next);
    setFieldErrors({});
    setFormError(null);
    setSent(false);
    // The form changes under the user: put them at its start.
    requestAnimationFrame(() => firstField.current?.focus());
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const errors = validate(mode, values);
    setFieldErrors(errors);
    setFormError(null);
    const firstInvalid = (['name', 'email', 'password'] as const).find((name) => errors[name]);
    if (firstInvalid) {
      event.currentTarget.querySelector<HTMLInputElement>(`[name="${firstInvalid}"]`)?.focus();
      return;
    }
    setBusy(true);
    const email = values.email.trim();
    if (mode === 'forgot') {
      const asked = await requestPasswordReset(email);
      setBusy(false);
      if (asked.ok) setSent(true);
      else setFormError(asked.message);
      return;
    }
    const result =
      mode === 'sign-in'
        ? await signIn({ email, password: values.password })
        : await signUp({ name: values.name.trim(), email, password: values.password });
    if (result.ok) {
      await onSignedIn();
      return;
    }
    setBusy(false);
    setFormError(result.message);
  };

  const signingUp = mode === 'sign-up';
  const forgot = mode === 'forgot';
  const title = forgot ? 'Reset your password' : signingUp ? 'Create your account' : 'Sign in';
  const submitLabel = forgot
    ? busy
      ? 'Sending…'
      : 'Send me a reset link'
    : busy
      ? signingUp
        ? 'Creating account…'
        : 'Signing in…'
      : signingUp
        ? 'Create account'
        : 'Sign in';
  return (
    <main className="auth">
      <h1 className="brand">todos</h1>
      <section className="auth-card" aria-labelledby={headingId}>
        <h2 id={headingId}>{title}</h2>
        {forgot && (
          <p className="auth-lead">
            Enter your account's email and we will send you a link to choose a new password.
          </p>
        )}
        {notice && !formError && (
          <p className="notice notice-info" role="status">
            {notice}
          </p>
        )}
        <form noValidate onSubmit={submit} aria-busy={busy}>
          {signingUp && !forgot && (
            <Field
              name="name"
              label="Name"
              type="text"
              autoComplete="name"
              value={values.name}
              error={fieldErrors.name}
              inputRef={firstField}
              onChange={set('name')}
            />
          )}
          <Field
            name="email"
            label="Email"
            type="email"
            autoComplete={signingUp ? 'email' : 'username'}
            value={values.email}
            error={fieldErrors.email}
            inputRef={signingUp ? undefined : firstField}
            onChange={set('email')}
          />
          {!forgot && (
            <Field
              name="password"
              label="Password"
              type="password"
              autoComplete={signingUp ? 'new-password' : 'current-password'}
              value={values.password}
              error={fieldErrors.password}
              hint={signingUp ? 'At least 8 characters.' : undefined}
              onChange={set('password')}
            />
          )}
          {!signingUp && !forgot && (
            <p className="forgot-link">
              <button type="button" className="link-button" onClick={() => switchMode('forgot')}>
                Forgot password?
              </button>
            </p>
          )}
          <div role="status" className="status-region">
            {sent && (
              <p className="notice notice-ok">
                If an account exists for that email, we sent a link to reset its password. Check your inbox,
                and your spam folder too.
              </p>
            )}
          </div>
          {formError && (
            <p className="notice notice-error" role="alert">
              {formError}
            </p>
          )}
          <button type="submit" className="button button-primary" disabled={busy}>
            {submitLabel}
          </button>
        </form>
        <p className="auth-switch">
          {forgot ? 'Remembered it?' : signingUp ? 'Already have an account?' : 'New here?'}{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => switchMode(signingUp || forgot ? 'sign-in' : 'sign-up')}
          >
            {signingUp || forgot ? 'Sign in' : 'Create an account'}
          </button>
        </p>
      </section>
    </main>
  );
}
