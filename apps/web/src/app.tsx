import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { getSessionUser, signOut } from './session/auth-api.ts';
import { AuthScreen } from './session/auth-screen.tsx';
import { TodoScreen } from './todos/todo-screen.tsx';
import { useTRPC } from './trpc.ts';

export const SESSION_KEY = ['session'] as const;

/**
 * Decides between the sign-in screen and the list. The server is asked who the session cookie
 * belongs to on every load; nothing about the session is kept in the browser's storage.
 */
export function App({
  sessionExpired,
  onSessionStarted,
}: {
  sessionExpired: boolean;
  onSessionStarted: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useQuery({ queryKey: SESSION_KEY, queryFn: getSessionUser, staleTime: Infinity });

  // An API call answered 401: ask again, which finds no session and shows the sign-in screen.
  useEffect(() => {
    if (sessionExpired) void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
  }, [sessionExpired, queryClient]);

  const startSession = async () => {
    // Another account may have used this tab: never show its cached todos.
    queryClient.removeQueries({ queryKey: trpc.todo.pathKey() });
    await queryClient.resetQueries({ queryKey: SESSION_KEY });
    onSessionStarted();
  };

  const endSession = async () => {
    await signOut().catch(() => undefined);
    await queryClient.resetQueries({ queryKey: SESSION_KEY });
    queryClient.removeQueries({ queryKey: trpc.todo.pathKey() });
  };

  if (session.isPending) {
    return (
      <main className="app-loading">
        <p role="status">Loading your todos…</p>
      </main>
    );
  }
  if (session.data === null) {
    return (
      <AuthScreen
        notice={sessionExpired ? 'Your session has ended. Sign in again to continue.' : undefined}
        onSignedIn={startSession}
      />
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
  return <TodoScreen user={session.data} onSignOut={endSession} />;
}
