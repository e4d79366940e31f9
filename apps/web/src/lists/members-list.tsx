import { dateText } from '../todos/due-date.ts';
import { errorMessage } from './error-message.ts';
import { type Invite, type Member, type MemberRole, ROLE_NAMES, type useMembers } from './use-members.ts';

type Actions = ReturnType<typeof useMembers>;

function MemberRow({
  listId,
  member,
  owner,
  actions,
  onError,
}: {
  listId: string;
  member: Member;
  owner: boolean;
  actions: Actions;
  onError: (text: string) => void;
}) {
  const manage = owner && member.role !== 'owner';
  const fail = (error: unknown) =>
    onError(`Could not change ${member.name}’s access: ${errorMessage(error)}.`);
  return (
    <li className="member">
      <span className="member-who">
        <strong>{member.name}</strong>
        <span className="member-email">{member.email}</span>
      </span>
      {manage ? (
        <span className="member-actions">
          <select
            aria-label={`Role of ${member.name}`}
            value={member.role}
            onChange={(event) =>
              actions.setRole.mutate(
                { id: listId, userId: member.userId, role: event.target.value as MemberRole },
                { onError: fail },
              )
            }
          >
            <option value="editor">{ROLE_NAMES.editor}</option>
            <option value="viewer">{ROLE_NAMES.viewer}</option>
          </select>
          <button
            type="button"
            className="button button-quiet"
            onClick={() =>
              actions.removeMember.mutate({ id: listId, userId: member.userId }, { onError: fail })
            }
          >
            Remove<span className="visually-hidden"> {member.name}</span>
          </button>
        </span>
      ) : (
        <span className="member-role">{ROLE_NAMES[member.role]}</span>
      )}
    </li>
  );
}

function InviteRow({
  invite,
  actions,
  onError,
}: {
  invite: Invite;
  actions: Actions;
  onError: (text: string) => void;
}) {
  return (
    <li className="member">
      <span className="member-who">
        <strong>{invite.email}</strong>
        <span className="member-email">
          {ROLE_NAMES[invite.role]} · invited, until{' '}
          {dateText(new Date(invite.expiresAt), { dateOnly: true })}
        </span>
      </span>
      <button
        type="button"
        className="button button-quiet"
        onClick={() =>
          actions.revokeInvite.mutate(
            { inviteId: invite.id },
            { onError: (error) => onError(`Could not revoke the invite: ${errorMessage(error)}.`) },
          )
        }
      >
        Revoke<span className="visually-hidden"> the invite of {invite.email}</span>
      </button>
    </li>
  );
}

/** The members with their roles (the owner changes and removes them), then pending invites. */
export function MembersList({
  listId,
  owner,
  actions,
  onError,
}: {
  listId: string;
  owner: boolean;
  actions: Actions;
  onError: (text: string) => void;
}) {
  const data = actions.members.data;
  if (!data)
    return <p role="status">{actions.members.isError ? 'The members could not be loaded.' : 'Loading…'}</p>;
  return (
    <>
      <h3>Members</h3>
      <ul className="members">
        {data.members.map((member) => (
          <MemberRow key={member.userId} {...{ listId, member, owner, actions, onError }} />
        ))}
      </ul>
      {data.invites.length > 0 && (
        <>
          <h3>Pending invites</h3>
          <ul className="members">
            {data.invites.map((invite) => (
              <InviteRow key={invite.id} {...{ invite, actions, onError }} />
            ))}
          </ul>
        </>
      )}
    </>
  );
}
