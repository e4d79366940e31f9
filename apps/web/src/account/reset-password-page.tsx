import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { followLink } from '../routing/path.ts';
import { resetPassword } from './account-api.ts';

const INVALID =
  'This reset link is invalid or has expired. Links work once, for a limited time: ask for a new one.';

/**
 * `/reset-password?token=…`, where the reset mail's link lands (Better Auth checks the token and
 * redirects here, or here with `?error=INVALID_TOKEN`). Two fields for the new password; on
 * success every session has ended, so the next step is signing in.
 */
export default function ResetPasswordPage({ onDone }: { onDone: () => void }) {
  const params = new URLSearchParams(window.location.search);
  const token = params.get('token');
  const linkBroken = !token || params.has('error');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<{ password?: string; again?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const headingId = useId();
  const passwordId = useId();
  const againId = useId();

  useEffect(() => {
    document.title = 'Choose a new password · todos';
    headingRef.current?.focus();
  }, []);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFailure(null);
    const found = {
      password: !password
        ? 'Enter a new password.'
        : password.length < 8
          ? 'Use at least 8 characters.'
          : password.length > 128
            ? 'Use at most 128 characters.'
            : undefined,
      again: password && again !== password ? 'The two passwords are not the same.' : undefined,
    };
    setErrors(found);
    if (found.password || found.again) {
      document.getElementById(found.password ? passwordId : againId)?.focus();
      return;
    }
    setBusy(true);
    const result = await resetPassword({ newPassword: password, token: token ?? '' });
    setBusy(false);
    if (result.ok) {
      setDone(true);
      // The token is spent: a reload or Back should not offer the form again.
      window.history.replaceState(null, '', '/reset-password');
      onDone();
    } else setFailure(result.message);
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
          <form noValidate onSubmit={submit} aria-busy={busy}>
            <div className="field">
              <label htmlFor={passwordId}>New password</label>
              <input
                id={passwordId}
                type="password"
                name="new-password"
                autoComplete="new-password"
                value={password}
                aria-invalid={errors.password ? true : undefined}
                aria-describedby={`${passwordId}-hint${errors.password ? ` ${passwordId}-error` : ''}`}
                onChange={(event) => setPassword(event.target.value)}
              />
              <p id={`${passwordId}-hint`} className="field-hint">
                At least 8 characters.
              </p>
              {errors.password && (
                <p id={`${passwordId}-error`} className="field-error">
                  {errors.password}
                </p>
              )}
            </div>
            <div className="field">
              <label htmlFor={againId}>New password, again</label>
              <input
                id={againId}
                type="password"
                name="new-password-again"
                autoComplete="new-password"
                value={again}
                aria-invalid={errors.again ? true : undefined}
                aria-describedby={errors.again ? `${againId}-error` : undefined}
                onChange={(event) => setAgain(event.target.value)}
              />
              {errors.again && (
                <p id={`${againId}-error`} className="field-error">
                  {errors.again}
                </p>
              )}
            </div>
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
        )}
      </section>
    </main>
  );
}
