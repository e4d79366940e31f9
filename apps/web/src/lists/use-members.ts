import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RouterOutputs } from '@todo/client';
import { notify } from '../todos/write-notices.ts';
import { useTRPC } from '../trpc.ts';
import { errorMessage } from './error-message.ts';

/** A member of a list as `list.members` gives it. */
export type Member = RouterOutputs['list']['members']['members'][number];
/** A pending invite (the owner sees them). */
export type Invite = RouterOutputs['list']['members']['invites'][number];
export type MemberRole = 'editor' | 'viewer';

/**
 * A list's members and pending invites, and what changes them (`list.invite`, `revokeInvite`,
 * `setRole`, `removeMember`, `leave`); each reads the members and `list.all` again when done.
 *
 * @example
 * const { members, invite } = useMembers(list.id);
 * invite.mutate({ id: list.id, email: 'ada@example.com', role: 'editor' });
 */
export function useMembers(listId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.list.members.queryOptions({ id: listId }));
  const onSuccess = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.list.members.queryKey({ id: listId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.list.all.queryKey() }),
    ]);
  return {
    members,
    invite: useMutation(trpc.list.invite.mutationOptions({ onSuccess })),
    revokeInvite: useMutation(trpc.list.revokeInvite.mutationOptions({ onSuccess })),
    setRole: useMutation(trpc.list.setRole.mutationOptions({ onSuccess })),
    removeMember: useMutation(trpc.list.removeMember.mutationOptions({ onSuccess })),
    leave: useMutation(
      trpc.list.leave.mutationOptions({
        onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.list.all.queryKey() }),
        onError: (error) => notify(`Could not leave the list: ${errorMessage(error)}.`),
      }),
    ),
  };
}

/** A role in words. */
export const ROLE_NAMES: Record<string, string> = { owner: 'Owner', editor: 'Can edit', viewer: 'Can view' };
