import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorCode } from '@todo/client';
import { followLink, navigate } from '../routing/path.ts';
import { listPath } from '../routing/routes.ts';
import { useTRPC } from '../trpc.ts';
import { errorMessage } from './error-message.ts';
import { ROLE_NAMES } from './use-members.ts';
import '../ui/page.css';
import './invite-page.css';

/** What an unknown, used or expired link says (the server does not tell them apart). */
const GONE = 'This invite link does not work: it is unknown, already used, or expired. Ask for a new one.';

function Frame({ children }: { children: React.ReactNode }) {
  return (
    <main className="page invite-page">
      <section className="invite-card" aria-labelledby="invite-title">
        {children}
      </section>
    </main>
  );
}

function InviteError({ error }: { error: unknown }) {
  const text =
    errorCode(error) === 'NOT_FOUND' ? GONE : `The invite could not be loaded: ${errorMessage(error)}.`;
  return (
    <Frame>
      <h1 id="invite-title">Invite</h1>
      <p className="notice notice-error" role="alert">
        {text}
      </p>
      <a className="button" href="/" onClick={followLink}>
        Go to your Inbox
      </a>
    </Frame>
  );
}

/**
 * `/invite/<token>` for a signed-in person: the list's name, who invited them and the role
 * (`invite.get`); "Join" accepts it (`invite.accept`) and opens the list. Signed out, the
 * sign-in screen is shown at this address instead, saying what the invite is for and starting
 * with its address, so signing in or up comes back here (app.tsx, invite-notice.ts).
 */
export default function InvitePage({ token }: { token: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invite = useQuery({ ...trpc.invite.get.queryOptions({ token }), retry: false });
  const accept = useMutation(
    trpc.invite.accept.mutationOptions({
      onSuccess: async (list) => {
        await queryClient.invalidateQueries({ queryKey: trpc.list.all.queryKey() });
        navigate(listPath(list.id), { replace: true });
      },
    }),
  );

  if (invite.isPending)
    return (
      <Frame>
        <p role="status" id="invite-title">
          Loading the invite…
        </p>
      </Frame>
    );
  if (invite.isError) return <InviteError error={invite.error} />;
  const { list, invitedBy, role } = invite.data;
  const refusal =
    accept.error && (errorCode(accept.error) === 'NOT_FOUND' ? GONE : `${errorMessage(accept.error)}.`);
  return (
    <Frame>
      <h1 id="invite-title">Join “{list.name}”</h1>
      <p>
        <strong>{invitedBy.name}</strong> invites you to the list <strong>“{list.name}”</strong>, where you{' '}
        {role === 'editor' ? 'can add and change todos' : 'can see the todos'} (
        {ROLE_NAMES[role]?.toLowerCase()}).
      </p>
      <p className="invite-for">The invite is for {invite.data.email}.</p>
      <div role="alert">{refusal && <p className="notice notice-error">{refusal}</p>}</div>
      <div className="invite-actions">
        <button
          type="button"
          className="button button-primary"
          disabled={accept.isPending}
          onClick={() => accept.mutate({ token })}
        >
          {accept.isPending ? 'Joining…' : 'Join list'}
        </button>
        <a className="button button-quiet" href="/" onClick={followLink}>
          Not now
        </a>
      </div>
    </Frame>
  );
}
