import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { followLink } from '../routing/path.ts';
import { Field, focusField } from '../ui/field.tsx';
import { resetPassword } from './account-api.ts';
import { NewPasswordField, newPasswordProblem } from './new-password.tsx';
import '../session/auth-screen.css';

const INVALID =
  'This reset link is invalid or has expired. Links work once, for a limited time: ask for a new one.';

/** The new password, twice; sent with the link's token. */
function NewPasswordForm({ token, onDone }: { token: string; onDone: () => void }) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<{ password?: string; again?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFailure(null);
    const found = {
      password: newPasswordProblem(password),
      again: password && again !== password ? 'The two passwords are not the same.' : undefined,
    };
    setErrors(found);
    if (found.password || found.again) {
      focusField(event.currentTarget, found.password ? 'new-password' : 'new-password-again');
      return;
    }
    setBusy(true);
    const result = await resetPassword({ newPassword: password, token });
    setBusy(false);
    if (result.ok) onDone();
    else setFailure(result.message);
  };

  return (
    <form noValidate onSubmit={submit} aria-busy={busy}>
      <NewPasswordField
        label="New password"
        value={password}
        error={errors.password}
        onChange={setPassword}
      />
      <Field
        label="New password, again"
        type="password"
        name="new-password-again"
        autoComplete="new-password"
        value={again}
        error={errors.again}
        onChange={setAgain}
      />
      {failure && (
        <div className="notice notice-error" role="alert">
          <p>
            {/INVALID_TOKEN|not valid/.test(failure) ? INVALID : failure}{' '}
            <a href="/forgot-password" onClick={followLink}>
              Ask for a new link
            </a>
          </p>
        </div>
      )}
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? 'Saving…' : 'Set new password'}
      </button>
    </form>
  );
}

/**
 * `/reset-password?token=…`, where the reset mail's link lands (Better Auth checks the token and
 * redirects here, or here with `?error=INVALID_TOKEN`). Two fields for the new password; on
 * success every session has ended, so the next step is signing in.
 */
export default function ResetPasswordPage({ onDone }: { onDone: () => void }) {
  const params = new URLSearchParams(window.location.search);
  const token = params.get('token');
  const linkBroken = !token || params.has('error');
  const [done, setDone] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const headingId = useId();

  useEffect(() => {
    document.title = 'Choose a new password · todos';
    headingRef.current?.focus();
  }, []);

  const changed = () => {
    setDone(true);
    // The token is spent: a reload or Back should not offer the form again.
    window.history.replaceState(null, '', '/reset-password');
    onDone();
  };

  return (
    <main className="auth">
      <p className="brand" aria-hidden="true">
        todos
      </p>
      <section className="auth-card" aria-labelledby={headingId}>
        <h1 id={headingId} ref={headingRef} tabIndex={-1}>
          {done ? 'Password changed' : 'Choose a new password'}
        </h1>
        <div role="status" className="status-region">
          {done && (
            <p className="notice notice-ok">
              Your password is changed and every device was signed out. Sign in with your new password.
            </p>
          )}
        </div>
        {done ? (
          <a className="button button-primary" href="/" onClick={followLink}>
            Sign in
          </a>
        ) : linkBroken ? (
          <>
            <p className="notice notice-error" role="alert">
              {INVALID}
            </p>
            <a className="button button-primary" href="/forgot-password" onClick={followLink}>
              Ask for a new link
            </a>
          </>
        ) : (
          <NewPasswordForm token={token ?? ''} onDone={changed} />
        )}
      </section>
    </main>
  );
}
