import { type FormEvent, useId, useState } from 'react';
import { Field } from '../ui/field.tsx';
import { changePassword } from './account-api.ts';
import { Card, Outcome } from './card.tsx';
import { newPasswordProblem } from './new-password.ts';
import { useCaller } from './use-caller.ts';
import './password-form.css';

/** A checkbox with its label beside it. */
function Check({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="check">
      <input id={id} type="checkbox" checked={checked} onChange={(event) => onChange(event.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

/** A new password for the current one; other devices are signed out unless the box is unticked. */
export function PasswordForm({
  onSessionEnded,
  onSessionsChanged,
}: {
  onSessionEnded: () => void;
  /** The password changed (and perhaps other sessions ended): the session list is read again. */
  onSessionsChanged: () => void;
}) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [others, setOthers] = useState(true);
  const [errors, setErrors] = useState<{ current?: string; next?: string }>({});
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const call = useCaller(onSessionEnded);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setOutcome(null);
    const found = {
      current: current ? undefined : 'Enter your current password.',
      next: newPasswordProblem(next),
    };
    setErrors(found);
    if (found.current || found.next) {
      event.currentTarget
        .querySelector<HTMLInputElement>(`[name="${found.current ? 'current-password' : 'new-password'}"]`)
        ?.focus();
      return;
    }
    setBusy(true);
    const done = await call(
      changePassword({ currentPassword: current, newPassword: next, revokeOtherSessions: others }),
      setOutcome,
      others
        ? 'Your password is changed, and your other devices are signed out.'
        : 'Your password is changed.',
    );
    setBusy(false);
    if (done) {
      setCurrent('');
      setNext('');
      onSessionsChanged();
    }
  };
  return (
    <Card title="Password">
      <form noValidate onSubmit={submit} aria-busy={busy}>
        {/* Lets password managers tie the new password to the account. */}
        <Field
          label="Current password"
          type="password"
          name="current-password"
          autoComplete="current-password"
          value={current}
          error={errors.current}
          onChange={setCurrent}
        />
        <Field
          label="New password"
          type="password"
          name="new-password"
          autoComplete="new-password"
          value={next}
          hint="At least 8 characters."
          error={errors.next}
          onChange={setNext}
        />
        <Check label="Sign out my other devices" checked={others} onChange={setOthers} />
        <Outcome outcome={outcome} />
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </Card>
  );
}
