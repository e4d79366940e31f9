import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../trpc.ts';

/** An invite as `invite.get` shows it. */
type InvitePreview = { list: { name: string }; invitedBy: { name: string }; role: string; email: string };

/** What the sign-in screen says above its form at `/invite/<token>`, signed out. */
export function inviteNotice(invite: InvitePreview | undefined, failed: boolean): string {
  if (failed)
    return 'This invite link does not work: it is unknown, already used, or expired. Ask for a new one.';
  if (!invite) return 'You are invited to a shared list. Sign in, or create an account, to see it and join.';
  const can = invite.role === 'editor' ? 'add and change its todos' : 'see its todos';
  return `${invite.invitedBy.name} invites you to “${invite.list.name}”, where you can ${can}. Sign in, or create an account, as ${invite.email} to join.`;
}

/**
 * The invite at `/invite/<token>` for someone not signed in (`invite.get` answers anyone
 * holding the token); `token` null: no invite on screen, nothing asked.
 */
export function useInvitePreview(token: string | null) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.invite.get.queryOptions({ token: token ?? '' }),
    enabled: token !== null,
    retry: false,
  });
}
