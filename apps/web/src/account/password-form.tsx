import { type FormEvent, useId, useState } from 'react';
import { Field, focusField } from '../ui/field.tsx';
import { changePassword } from './account-api.ts';
import { CardForm } from './card.tsx';
import { NewPasswordField, newPasswordProblem } from './new-password.tsx';
import { useCardForm } from './use-caller.ts';
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
  const { outcome, setOutcome, busy, setBusy, call } = useCardForm(onSessionEnded);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setOutcome(null);
    const found = {
      current: current ? undefined : 'Enter your current password.',
      next: newPasswordProblem(next),
    };
    setErrors(found);
    if (found.current || found.next) {
      focusField(event.currentTarget, found.current ? 'current-password' : 'new-password');
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
    <CardForm
      title="Password"
      submit={['Change password', 'Changing…']}
      busy={busy}
      outcome={outcome}
      onSubmit={submit}
    >
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
      <NewPasswordField label="New password" value={next} error={errors.next} onChange={setNext} />
      <Check label="Sign out my other devices" checked={others} onChange={setOthers} />
    </CardForm>
  );
}
