import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RouterOutputs } from '@todo/client';
import { notify, reasonFor } from '../todos/write-notices.ts';
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

/**
 * Making, renaming and deleting lists; each reads `list.all` again once answered (the stream's
 * `list` event would too, a moment later).
 *
 * @example
 * const { create } = useListActions();
 * const list = await create.mutateAsync({ name: 'Groceries' });
 */
export function useListActions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.list.all.queryKey() });
  return {
    create: useMutation(trpc.list.create.mutationOptions({ onSuccess: refresh })),
    rename: useMutation(trpc.list.rename.mutationOptions({ onSuccess: refresh })),
    // Called as the screen leaves the list: a refusal is told wherever the person is by then.
    remove: useMutation(
      trpc.list.delete.mutationOptions({
        onSuccess: refresh,
        onError: (error) => notify(`Could not delete the list: ${reasonFor(error)}.`),
      }),
    ),
  };
}
