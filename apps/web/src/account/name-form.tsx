import { type FormEvent, useState } from 'react';
import type { SessionUser } from '../session/auth-api.ts';
import { Field } from '../ui/field.tsx';
import { updateName } from './account-api.ts';
import { CardForm } from './card.tsx';
import { useCardForm } from './use-caller.ts';

/** The account's name, as the todo screen's top bar shows it. */
export function NameForm({
  user,
  onUserChanged,
  onSessionEnded,
}: {
  user: SessionUser;
  /** The name changed: the header and the todo screen show the new one. */
  onUserChanged: () => Promise<void>;
  onSessionEnded: () => void;
}) {
  const [name, setName] = useState(user.name);
  const [error, setError] = useState<string>();
  const { outcome, setOutcome, busy, setBusy, call } = useCardForm(onSessionEnded);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = name.trim();
    setOutcome(null);
    if (!trimmed) {
      setError('Enter your name.');
      event.currentTarget.querySelector('input')?.focus();
      return;
    }
    setError(undefined);
    setBusy(true);
    if (await call(updateName(trimmed), setOutcome, 'Your name is saved.')) await onUserChanged();
    setBusy(false);
  };
  return (
    <CardForm
      title="Profile"
      submit={['Save name', 'Saving…']}
      busy={busy}
      outcome={outcome}
      onSubmit={submit}
    >
      <Field label="Name" name="name" autoComplete="name" value={name} error={error} onChange={setName} />
    </CardForm>
  );
}
