import { useQuery } from '@tanstack/react-query';
import type { RouterOutputs } from '@todo/client';
import { useTRPC } from '../trpc.ts';

/** A list as `list.all` gives it: its name, the caller's role, its owner and its counts. */
export type List = RouterOutputs['list']['all']['lists'][number];

/** The caller's lists (`list.all`), Inbox first, then in their own order. */
export function useLists() {
  const trpc = useTRPC();
  return useQuery(trpc.list.all.queryOptions());
}

/** The lists the switcher shows, in its three groups. */
export function groupLists(lists: List[]) {
  return {
    inbox: lists.find((list) => list.isInbox),
    own: lists.filter((list) => !list.isInbox && list.role === 'owner'),
    shared: lists.filter((list) => list.role !== 'owner'),
  };
}
