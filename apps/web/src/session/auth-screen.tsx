import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Field, focusField } from '../ui/field.tsx';
import { type AuthResult, requestPasswordReset, signIn, signUp } from './auth-actions.ts';
import './auth-screen.css';
import { useServerSendsMail } from './use-server-sends-mail.ts';

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

/** What the screen says in each mode, and while the form is being sent. */
function wordsFor(mode: Mode, busy: boolean) {
  const words = {
    'sign-in': ['Sign in', 'Sign in', 'Signing in…', 'New here?', 'Create an account'],
    'sign-up': [
      'Create your account',
      'Create account',
      'Creating account…',
      'Already have an account?',
      'Sign in',
    ],
    forgot: ['Reset your password', 'Send me a reset link', 'Sending…', 'Remembered it?', 'Sign in'],
  } as const;
  const [title, submit, submitting, switchPrompt, switchLabel] = words[mode];
  return { title, submit: busy ? submitting : submit, switchPrompt, switchLabel };
}

/** The form's state and what it does: check the fields, then sign in, sign up or ask for a link. */
function useAuthForm(initialMode: Mode, initialEmail: string, onSignedIn: () => Promise<void>) {
  const [mode, setMode] = useState<Mode>(initialMode);
  /** After a reset link was asked for: the same words whether or not the account exists. */
  const [sent, setSent] = useState(false);
  const [values, setValues] = useState<Record<FieldName, string>>({
    name: '',
    email: initialEmail,
    password: '',
  });
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const firstField = useRef<HTMLInputElement>(null);

  useEffect(() => firstField.current?.focus(), []);

  const switchMode = (next: Mode) => {
    setMode(next);
    setFieldErrors({});
    setFormError(null);
    setSent(false);
    // The form changes under the user: put them at its start.
    requestAnimationFrame(() => firstField.current?.focus());
  };

  const send = async (): Promise<AuthResult> => {
    const email = values.email.trim();
    if (mode === 'forgot') return requestPasswordReset(email);
    return mode === 'sign-in'
      ? signIn({ email, password: values.password })
      : signUp({ name: values.name.trim(), email, password: values.password });
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const errors = validate(mode, values);
    setFieldErrors(errors);
    setFormError(null);
    const firstInvalid = (['name', 'email', 'password'] as const).find((name) => errors[name]);
    if (firstInvalid) {
      focusField(event.currentTarget, firstInvalid);
      return;
    }
    setBusy(true);
    const result = await send();
    if (result.ok && mode !== 'forgot') return onSignedIn();
    setBusy(false);
    if (result.ok) setSent(true);
    else setFormError(result.message);
  };

  const set = (name: FieldName) => (value: string) => setValues((current) => ({ ...current, [name]: value }));
  return { mode, sent, values, fieldErrors, formError, busy, firstField, set, switchMode, submit };
}

type AuthForm = ReturnType<typeof useAuthForm>;

/** The name (to sign up), email and password (not to ask for a reset link) fields. */
function AuthFields({ form }: { form: AuthForm }) {
  const { mode, values, fieldErrors, firstField, set } = form;
  const signingUp = mode === 'sign-up';
  return (
    <>
      {signingUp && (
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
      {mode !== 'forgot' && (
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
    </>
  );
}

/** Sign in, or create an account; both leave a session cookie and hand over to the list. */
export function AuthScreen({
  notice,
  initialMode = 'sign-in',
  initialEmail = '',
  onSignedIn,
}: {
  notice?: string;
  initialMode?: Mode;
  /** The address the form starts with (an invite's). */
  initialEmail?: string;
  onSignedIn: () => Promise<void>;
}) {
  const form = useAuthForm(initialMode, initialEmail, onSignedIn);
  const { mode, sent, formError, busy } = form;
  const headingId = useId();
  const sendsMail = useServerSendsMail();
  const words = wordsFor(mode, busy);
  return (
    <main className="auth">
      <h1 className="brand">todos</h1>
      <section className="auth-card" aria-labelledby={headingId}>
        <h2 id={headingId}>{words.title}</h2>
        {mode === 'forgot' && (
          <p className="auth-lead">
            Enter your account's email and we will send you a link to choose a new password.
          </p>
        )}
        {notice && !formError && (
          <p className="notice notice-info" role="status">
            {notice}
          </p>
        )}
        <form noValidate onSubmit={form.submit} aria-busy={busy}>
          <AuthFields form={form} />
          {mode === 'sign-in' && sendsMail && (
            <p className="forgot-link">
              <button type="button" className="link-button" onClick={() => form.switchMode('forgot')}>
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
            {words.submit}
          </button>
        </form>
        <p className="auth-switch">
          {words.switchPrompt}{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => form.switchMode(mode === 'sign-in' ? 'sign-up' : 'sign-in')}
          >
            {words.switchLabel}
          </button>
        </p>
      </section>
    </main>
  );
}
