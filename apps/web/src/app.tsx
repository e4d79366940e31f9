import { lazy, type ReactNode, Suspense, useDeferredValue, useState } from 'react';
import { navigate, usePath } from './routing/path.ts';
import { routeOf } from './routing/routes.ts';
import type { SessionUser } from './session/auth-api.ts';
import type { OfflineSession } from './session/offline-session.ts';
import { useSession } from './session/use-session.ts';
import { TodoScreen } from './todos/todo-screen.tsx';
import { Loading } from './ui/loading.tsx';
import './app.css';

// Pages most visits never open stay out of the first load; so does the sign-in screen, which a
// signed-in visit (most of them) never shows.
const SignIn = lazy(() => import('./session/sign-in.tsx'));
const AccountPage = lazy(() => import('./account/account-page.tsx'));
const ResetPasswordPage = lazy(() => import('./account/reset-password-page.tsx'));
const InvitePage = lazy(() => import('./lists/invite-page.tsx'));
const AgendaScreen = lazy(() => import('./agenda/agenda-screen.tsx'));

/** A page of a chunk of its own: "Loading…" until its code is there. */
function LazyPage({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading text="Loading…" />}>{children}</Suspense>;
}

function InviteRoute({ token }: { token: string }) {
  return (
    <LazyPage>
      <InvitePage token={token} />
    </LazyPage>
  );
}

/** The account page, for `user`: a deletion or a sign-out ends the session and goes home. */
function AccountRoute({
  user,
  session,
  onSessionExpired,
  onDeleted,
}: {
  user: SessionUser;
  session: ReturnType<typeof useSession>;
  onSessionExpired: () => void;
  onDeleted: () => void;
}) {
  return (
    <LazyPage>
      <AccountPage
        user={user}
        onUserChanged={session.refresh}
        onSessionEnded={onSessionExpired}
        onDeleted={async () => {
          onDeleted();
          navigate('/', { replace: true });
          await session.ended();
        }}
        onSignOut={async () => {
          await session.signOut();
          // Whoever signs in next starts at their list, not at this account's page.
          navigate('/', { replace: true });
        }}
      />
    </LazyPage>
  );
}

function ServerUnreachable({ onRetry }: { onRetry: () => void }) {
  return (
    <main className="app-loading">
      <div role="alert" className="notice notice-error">
        <p>Cannot reach the server right now.</p>
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      </div>
    </main>
  );
}

/**
 * Whether the page the session opens may render. The session's answer arrives through a store
 * (TanStack Query), which React renders at once, in one task; the screen it opens is the page's
 * biggest render, so it is rendered as a deferred value instead, which React time-slices
 * (yielding to the browser every few milliseconds) while "Loading your todos…" stays up.
 */
function useScreenReady(pending: boolean): boolean {
  const shown = useDeferredValue(!pending, false);
  return !pending && shown;
}

/**
 * The page the address names, for whoever is signed in: the sign-in screen without a session,
 * the reset page with or without one, the todos or the account page with one.
 */
export function App({
  offline,
  sessionExpired,
  onSessionStarted,
  onSessionExpired,
}: {
  /** The session check, which without a network falls back on the user whose todos are kept. */
  offline: OfflineSession;
  sessionExpired: boolean;
  onSessionStarted: () => void;
  onSessionExpired: () => void;
}) {
  const path = usePath();
  const route = routeOf(path);
  const session = useSession(offline, sessionExpired);
  const user = session.query.data;
  const ready = useScreenReady(session.query.isPending);
  /** Said on the sign-in screen after the account page deleted the account. */
  const [farewell, setFarewell] = useState<string | null>(null);

  // The reset link's page needs no session (a reset ends them all anyway).
  if (route.page === 'reset-password') {
    return (
      <LazyPage>
        <ResetPasswordPage onDone={() => void session.check()} />
      </LazyPage>
    );
  }
  if (!ready) return <Loading text="Loading your todos…" />;
  if (user === null) {
    return (
      <LazyPage>
        <SignIn
          key={path}
          route={route}
          notice={
            farewell ?? (sessionExpired ? 'Your session has ended. Sign in again to continue.' : undefined)
          }
          onSignedIn={async () => {
            if (route.page === 'forgot-password') navigate('/', { replace: true });
            await session.started();
            setFarewell(null);
            onSessionStarted();
          }}
        />
      </LazyPage>
    );
  }
  if (session.query.isError || !user)
    return <ServerUnreachable onRetry={() => void session.query.refetch()} />;
  if (route.page === 'account') {
    return (
      <AccountRoute
        user={user}
        session={session}
        onSessionExpired={onSessionExpired}
        onDeleted={() => setFarewell('Your account and everything in it are deleted. Goodbye!')}
      />
    );
  }
  if (route.page === 'invite') return <InviteRoute token={route.token} />;
  if (route.page === 'today' || route.page === 'upcoming') {
    return (
      <LazyPage>
        <AgendaScreen user={user} view={route.page} onSignOut={session.signOut} />
      </LazyPage>
    );
  }
  return (
    <TodoScreen
      user={user}
      listId={route.page === 'todos' ? route.listId : undefined}
      onSignOut={session.signOut}
    />
  );
}
