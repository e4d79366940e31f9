// What the list commands print: tables of lists, members and invites. (Todos: format.ts.)
import { formatTime, oneLine, shortIdLength } from './format.ts';

type ListRow = {
  id: string;
  name: string;
  role: string;
  owner: { id: string; name: string };
  memberCount: number;
  counts: { active: number };
};
type Member = { name: string; email: string; role: string };
type SentInvite = { email: string; role: string; expiresAt: string };
type IncomingInvite = {
  list: { name: string };
  invitedBy: { name: string };
  role: string;
  expiresAt: string;
};

/**
 * Rows under a header, each column as wide as its widest cell, two spaces apart; a column whose
 * header starts with a space is right-aligned (counts). The last column is not padded.
 */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.trim().length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        if (header[column]?.startsWith(' ')) return cell.padStart(width);
        return column === cells.length - 1 ? cell : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(header.map((title) => title.trim())), ...rows.map(line)].join('\n');
}

/**
 * The caller's lists, in their order (the Inbox first): short id, name, the caller's role, the
 * owner when it is someone else, how many members, how many active todos.
 *
 * @example
 * ID        NAME       ROLE    OWNER         MEMBERS  ACTIVE
 * 1a2b3c4d  Inbox      owner                       1       3
 * 9c0d1e2f  Lisbon     editor  Grace Hopper        3       1
 */
export function formatLists(lists: ListRow[]): string {
  const length = shortIdLength(lists.map((list) => list.id));
  return table(
    ['ID', 'NAME', 'ROLE', 'OWNER', ' MEMBERS', ' ACTIVE'],
    lists.map((list) => [
      list.id.slice(0, length),
      oneLine(list.name),
      list.role,
      list.role === 'owner' ? '' : oneLine(list.owner.name),
      String(list.memberCount),
      String(list.counts.active),
    ]),
  );
}

/**
 * A list's members (owner first, as the server orders them), then, for its owner, the invites
 * still pending.
 *
 * @example
 * NAME          EMAIL              ROLE
 * Ada Lovelace  ada@example.com    owner
 * Grace Hopper  grace@example.com  editor
 *
 * Invited, not yet joined:
 * EMAIL            ROLE    EXPIRES
 * bob@example.com  viewer  2026-12-14 10:00
 */
export function formatMembers(members: Member[], invites: SentInvite[]): string {
  const people = table(
    ['NAME', 'EMAIL', 'ROLE'],
    members.map((member) => [oneLine(member.name), oneLine(member.email), member.role]),
  );
  if (invites.length === 0) return people;
  const pending = table(
    ['EMAIL', 'ROLE', 'EXPIRES'],
    invites.map((invite) => [oneLine(invite.email), invite.role, formatTime(invite.expiresAt)]),
  );
  return `${people}\n\nInvited, not yet joined:\n${pending}`;
}

/**
 * Invites addressed to the caller.
 *
 * @example
 * LIST       FROM          ROLE    EXPIRES
 * Groceries  Ada Lovelace  editor  2026-12-14 10:00
 */
export const formatInvites = (invites: IncomingInvite[]) =>
  table(
    ['LIST', 'FROM', 'ROLE', 'EXPIRES'],
    invites.map((invite) => [
      oneLine(invite.list.name),
      oneLine(invite.invitedBy.name),
      invite.role,
      formatTime(invite.expiresAt),
    ]),
  );
