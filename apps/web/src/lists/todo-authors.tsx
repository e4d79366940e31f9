import { useQuery } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext } from 'react';
import { useTRPC } from '../trpc.ts';

/** Names of a shared list's members by user id; null outside a shared list. */
const Authors = createContext<Map<string, string> | null>(null);

/**
 * Gives the todos of a shared list (`listId` with more than one member) their members' names
 * (`list.members`), for "added by" and "last changed by" in a todo's details.
 */
export function AuthorsProvider({
  listId,
  shared,
  children,
}: {
  listId: string | undefined;
  shared: boolean;
  children: ReactNode;
}) {
  const trpc = useTRPC();
  const members = useQuery({
    ...trpc.list.members.queryOptions({ id: listId ?? '' }),
    enabled: Boolean(listId && shared),
  });
  const names =
    listId && shared && members.data
      ? new Map(members.data.members.map((member) => [member.userId, member.name]))
      : null;
  return <Authors.Provider value={names}>{children}</Authors.Provider>;
}

/** Who made a todo and who last changed it, in a shared list; nothing elsewhere. */
export function TodoAuthors({
  createdBy,
  updatedBy,
}: {
  createdBy: string | null;
  updatedBy: string | null;
}) {
  const names = useContext(Authors);
  if (!names) return null;
  // A member who has left is no longer in `list.members`.
  const nameOf = (id: string | null) => (id ? (names.get(id) ?? 'a former member') : 'someone');
  return (
    <p className="details-authors">
      Added by {nameOf(createdBy)}
      {updatedBy && updatedBy !== createdBy ? ` · last changed by ${nameOf(updatedBy)}` : ''}
      {updatedBy && updatedBy === createdBy ? ` · last changed by ${nameOf(updatedBy)} too` : ''}
    </p>
  );
}
