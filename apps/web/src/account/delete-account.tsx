import { type FormEvent, useState } from 'react';
import type { SessionUser } from '../session/auth-api.ts';
import { Field, focusField } from '../ui/field.tsx';
import { deleteAccount } from './account-api.ts';
import { CardForm } from './card.tsx';
import { useCardForm } from './use-caller.ts';

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
  const { outcome, setOutcome, busy, setBusy, call } = useCardForm(onSessionEnded);
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
      focusField(event.currentTarget, found.email ? 'confirm-email' : 'confirm-password');
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
    <CardForm
      title="Delete account"
      danger
      lead={
        <p className="card-lead">
          This deletes your account, your todos and your sessions for good. Download your data first if you
          want to keep it.
        </p>
      }
      submit={['Delete my account', 'Deleting…']}
      busy={busy}
      outcome={outcome}
      onSubmit={submit}
    >
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
    </CardForm>
  );
}
