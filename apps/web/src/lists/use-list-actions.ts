// Changing the caller's lists: making, renaming, moving and deleting them. Only the forms and
// buttons of list-actions.tsx use it, a chunk of its own; the first paint reads lists (use-lists.ts)
// and changes none.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { notify, reasonFor } from '../todos/write-notices.ts';
import { useTRPC } from '../trpc.ts';
import type { List } from './use-lists.ts';

/**
 * Where `list` goes to move one place up (-1) or down (+1) among the lists of its group (yours, or
 * shared with you) in the caller's order: the `afterId` of `list.move`; undefined where it cannot.
 *
 * @example const afterId = moveTarget(lists, list, -1); // null: first, after the Inbox
 */
export function moveTarget(lists: List[], list: List, step: -1 | 1): string | null | undefined {
  const ordered = lists.filter((each) => !each.isInbox);
  const group = (each: List) => (each.role === 'owner' ? 'own' : 'shared');
  const at = ordered.findIndex((each) => each.id === list.id);
  if (at === -1) return undefined;
  const sameGroup = ordered.filter((each) => group(each) === group(list));
  const neighbour = sameGroup[sameGroup.findIndex((each) => each.id === list.id) + step];
  if (!neighbour) return undefined;
  if (step === 1) return neighbour.id;
  const before = ordered[ordered.findIndex((each) => each.id === neighbour.id) - 1];
  return before ? before.id : null;
}

/** `lists` with the list `id` put right after `afterId` (null: first after the Inbox). */
export function moved(lists: List[], id: string, afterId: string | null): List[] {
  const list = lists.find((each) => each.id === id);
  const rest = lists.filter((each) => each.id !== id);
  const at =
    afterId === null
      ? rest.findIndex((each) => !each.isInbox)
      : rest.findIndex((each) => each.id === afterId) + 1;
  if (!list || at === 0) return lists; // unknown: as it was (nothing goes before the Inbox)
  rest.splice(at === -1 ? rest.length : at, 0, list);
  return rest;
}

/**
 * Making, renaming, moving and deleting lists; each reads `list.all` again once answered (the stream's
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
    // At once on screen (a read of list.all under way would bring the old order back, so it is
    // cancelled), then read again whatever the answer.
    move: useMutation(
      trpc.list.move.mutationOptions({
        onMutate: async ({ id, afterId }) => {
          await queryClient.cancelQueries({ queryKey: trpc.list.all.queryKey() });
          queryClient.setQueryData(
            trpc.list.all.queryKey(),
            (all) => all && { lists: moved(all.lists, id, afterId) },
          );
        },
        onSettled: refresh,
        onError: (error) => notify(`Could not move the list: ${reasonFor(error)}.`),
      }),
    ),
    // Called as the screen leaves the list: a refusal is told wherever the person is by then.
    remove: useMutation(
      trpc.list.delete.mutationOptions({
        onSuccess: refresh,
        onError: (error) => notify(`Could not delete the list: ${reasonFor(error)}.`),
      }),
    ),
  };
}
