import { inviteNotice, useInvitePreview } from '../lists/invite-notice.ts';
import type { Route } from '../routing/routes.ts';
import { Loading } from '../ui/loading.tsx';
import { AuthScreen } from './auth-screen.tsx';

/**
 * The sign-in screen, for whatever page the address names (a chunk of its own: a signed-in
 * visit never loads it). At an invite it says what the invite is for and starts with its
 * address; the invite's page comes back once signed in.
 */
export default function SignIn({
  route,
  notice,
  onSignedIn,
}: {
  route: Route;
  notice: string | undefined;
  onSignedIn: () => Promise<void>;
}) {
  const invite = useInvitePreview(route.page === 'invite' ? route.token : null);
  if (invite.isLoading) return <Loading text="Loading the invite…" />;
  return (
    <AuthScreen
      notice={notice ?? (route.page === 'invite' ? inviteNotice(invite.data, invite.isError) : undefined)}
      initialEmail={invite.data?.email}
      initialMode={route.page === 'forgot-password' ? 'forgot' : 'sign-in'}
      onSignedIn={onSignedIn}
    />
  );
}
