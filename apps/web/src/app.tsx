import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState } from 'react';
import { navigate, usePath } from './routing/path.ts';
import { signOut } from './session/auth-api.ts';
import type { OfflineSession } from './session/offline-session.ts';
import { todoKeys } from './todos/todo-keys.ts';
import { TodoScreen } from './todos/todo-screen.tsx';

export const SESSION_KEY = ['session'] as const;
const UNCHECKED_MS = 10_000;

// Pages most visits never open stay out of the first load; so does the sign-in screen, which a
// signed-in visit (most of them) never shows.
const AuthScreen = lazy(() =>
  import('./session/auth-screen.tsx').then(({ AuthScreen }) => ({ default: AuthScreen })),
);
const AccountPage = lazy(() => import('./account/account-page.tsx'));
const ResetPasswordPage = lazy(() => import('./account/reset-password-page.tsx'));

function PageLoading() {
  return (
    <main className="app-loading">
      <p role="status">Loading…</p>
    </main>
  );
}

/**
 * Decides between the sign-in screen and the list. The server is asked who the session cookie
 * belongs to on every load; the cookie itself stays out of JavaScript's reach. Only when the
 * server cannot be reached is the list shown to the user whose todos this browser kept (their
 * name and email are kept with them, until sign-out).
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
  const queryClient = useQueryClient();
  const path = usePath();
  /** Said on the sign-in screen after the account page deleted the account. */
  const [farewell, setFarewell] = useState<string | null>(null);
  const session = useQuery({
    queryKey: SESSION_KEY,
    queryFn: offline.check,
    // Asked offline too: the answer may then be the user whose todos this browser kept, which is
    // checked with the server again as soon as it can be (on reconnecting, and every 10 s).
    networkMode: 'always',
    staleTime: (query) => (query.state.data?.unchecked ? 0 : Infinity),
    refetchInterval: (query) => (query.state.data?.unchecked ? UNCHECKED_MS : false),
  });

  // An API call answered 401: ask again, which finds no session and shows the sign-in screen.
  useEffect(() => {
    if (sessionExpired) void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
  }, [sessionExpired, queryClient]);

  const startSession = async () => {
    // Another account may have used this tab: never show its cached todos.
    queryClient.removeQueries({ queryKey: todoKeys.all });
    await queryClient.resetQueries({ queryKey: SESSION_KEY });
    setFarewell(null);
    onSessionStarted();
  };

  const endSession = async () => {
    await signOut().catch(() => undefined);
    await offline.signedOut();
    await queryClient.resetQueries({ queryKey: SESSION_KEY });
    queryClient.removeQueries({ queryKey: todoKeys.all });
  };

  // The reset link's page needs no session (a reset ends them all anyway).
  if (path === '/reset-password') {
    return (
      <Suspense fallback={<PageLoading />}>
        <ResetPasswordPage onDone={() => void queryClient.resetQueries({ queryKey: SESSION_KEY })} />
      </Suspense>
    );
  }

  if (session.isPending) {
    return (
      <main className="app-loading">
        <p role="status">Loading your todos…</p>
      </main>
    );
  }
  if (session.data === null) {
    return (
      <Suspense fallback={<PageLoading />}>
        <AuthScreen
          key={path}
          notice={
            farewell ?? (sessionExpired ? 'Your session has ended. Sign in again to continue.' : undefined)
          }
          initialMode={path === '/forgot-password' ? 'forgot' : 'sign-in'}
          onSignedIn={async () => {
            if (path === '/forgot-password') navigate('/', { replace: true });
            await startSession();
          }}
        />
      </Suspense>
    );
  }
  if (session.isError || !session.data) {
    return (
      <main className="app-loading">
        <div role="alert" className="notice notice-error">
          <p>Cannot reach the server right now.</p>
          <button type="button" className="button" onClick={() => void session.refetch()}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  if (path === '/account') {
    return (
      <Suspense fallback={<PageLoading />}>
        <AccountPage
          user={session.data}
          onUserChanged={() => queryClient.invalidateQueries({ queryKey: SESSION_KEY })}
          onSessionEnded={onSessionExpired}
          onDeleted={async () => {
            setFarewell('Your account and everything in it are deleted. Goodbye!');
            navigate('/', { replace: true });
            await offline.signedOut();
            await queryClient.resetQueries({ queryKey: SESSION_KEY });
            queryClient.removeQueries({ queryKey: todoKeys.all });
          }}
          onSignOut={async () => {
            await endSession();
            // Whoever signs in next starts at their list, not at this account's page.
            navigate('/', { replace: true });
          }}
        />
      </Suspense>
    );
  }
  return <TodoScreen user={session.data} onSignOut={endSession} />;
}
