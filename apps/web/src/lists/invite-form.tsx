import { type FormEvent, useId, useState } from 'react';
import { errorMessage } from './error-message.ts';
import { type MemberRole, ROLE_NAMES, type useMembers } from './use-members.ts';

/** The owner's "Invite by email" form: an address, a role, and what became of the last one. */
export function InviteForm({
  listId,
  invite,
}: {
  listId: string;
  invite: ReturnType<typeof useMembers>['invite'];
}) {
  const id = useId();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<MemberRole>('editor');
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const to = email.trim();
    if (!to) return;
    invite.mutate(
      { id: listId, email: to, role },
      {
        onSuccess: () => {
          setEmail('');
          setOutcome({ ok: true, text: `Invite sent to ${to}.` });
        },
        onError: (error) =>
          setOutcome({ ok: false, text: `Could not invite ${to}: ${errorMessage(error)}.` }),
      },
    );
  };

  return (
    <form className="invite-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Invite by email</h3>
      <div className="invite-row">
        <label className="visually-hidden" htmlFor={`${id}-email`}>
          Email to invite
        </label>
        <input
          id={`${id}-email`}
          className="list-name-input"
          type="email"
          autoComplete="off"
          placeholder="name@example.com"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <label className="visually-hidden" htmlFor={`${id}-role`}>
          Role
        </label>
        <select
          id={`${id}-role`}
          value={role}
          onChange={(event) => setRole(event.target.value as MemberRole)}
        >
          <option value="editor">{ROLE_NAMES.editor}</option>
          <option value="viewer">{ROLE_NAMES.viewer}</option>
        </select>
        <button type="submit" className="button button-primary" disabled={invite.isPending}>
          Invite
        </button>
      </div>
      <div role="status">
        {outcome && <p className={`notice ${outcome.ok ? 'notice-ok' : 'notice-error'}`}>{outcome.text}</p>}
      </div>
    </form>
  );
}
