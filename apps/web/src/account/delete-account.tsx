import { type FormEvent, useState } from 'react';
import type { SessionUser } from '../session/auth-api.ts';
import { Field } from '../ui/field.tsx';
import { deleteAccount } from './account-api.ts';
import { Card, Outcome } from './card.tsx';
import { useCaller } from './use-caller.ts';

/** Deletes the account for good, once its email and password are typed in. */
export function DeleteAccount({
  user,
  onSessionEnded,
  onDeleted,
}: {
  user: SessionUser;
  onSessionEnded: () => void;
  /** The account is gone: back to sign-in, saying so. */
  onDeleted: () => Promise<void>;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const call = useCaller(onSessionEnded);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setOutcome(null);
    const found = {
      email:
        email.trim().toLowerCase() === user.email.toLowerCase()
          ? undefined
          : `Type your email, ${user.email}, to confirm.`,
      password: password ? undefined : 'Enter your password.',
    };
    setErrors(found);
    if (found.email || found.password) {
      event.currentTarget
        .querySelector<HTMLInputElement>(`[name="${found.email ? 'confirm-email' : 'confirm-password'}"]`)
        ?.focus();
      return;
    }
    setBusy(true);
    if (await call(deleteAccount(password), setOutcome)) {
      await onDeleted();
      return;
    }
    setBusy(false);
  };
  return (
    <Card title="Delete account" danger>
      <p className="card-lead">
        This deletes your account, your todos and your sessions for good. Download your data first if you want
        to keep it.
      </p>
      <form noValidate onSubmit={submit} aria-busy={busy}>
        <Field
          label="Your email"
          name="confirm-email"
          type="email"
          autoComplete="off"
          value={email}
          error={errors.email}
          onChange={setEmail}
        />
        <Field
          label="Your password"
          name="confirm-password"
          type="password"
          autoComplete="current-password"
          value={password}
          error={errors.password}
          onChange={setPassword}
        />
        <Outcome outcome={outcome} />
        <button type="submit" className="button button-danger" disabled={busy}>
          {busy ? 'Deleting…' : 'Delete my account'}
        </button>
      </form>
    </Card>
  );
}
