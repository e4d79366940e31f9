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

/** The names of the members of the shared list on screen by user id; null outside a shared list. */
export const useAuthors = () => useContext(Authors);
