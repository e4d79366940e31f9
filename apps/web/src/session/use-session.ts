import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { todoKeys } from '../todos/todo-keys.ts';
import { signOut } from './auth-api.ts';
import type { OfflineSession } from './offline-session.ts';

const SESSION_KEY = ['session'] as const;
const UNCHECKED_MS = 10_000;

/**
 * Who is signed in, as a query: the server is asked who the session cookie belongs to on every
 * load (the cookie itself stays out of JavaScript's reach). Only when the server cannot be
 * reached is the answer the user whose todos this browser kept (their name and email are kept
 * with them, until sign-out). `expired` (an API call was answered 401) asks again, which finds no
 * session and shows the sign-in screen.
 *
 * @example
 * const session = useSession(offline, sessionExpired);
 * if (session.query.data === null) return <AuthScreen onSignedIn={session.started} />;
 */
export function useSession(offline: OfflineSession, expired: boolean) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: SESSION_KEY,
    queryFn: offline.check,
    // Asked offline too: the answer may then be the user whose todos this browser kept, which is
    // checked with the server again as soon as it can be (on reconnecting, and every 10 s).
    networkMode: 'always',
    staleTime: (query) => (query.state.data?.unchecked ? 0 : Infinity),
    refetchInterval: (query) => (query.state.data?.unchecked ? UNCHECKED_MS : false),
  });

  useEffect(() => {
    if (expired) void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
  }, [expired, queryClient]);

  /** Asks the server from scratch (the screen waits for its answer). */
  const check = () => queryClient.resetQueries({ queryKey: SESSION_KEY });
  /** The account's todos leave this browser; its waiting writes are dropped. */
  const ended = async () => {
    await offline.signedOut();
    await check();
    queryClient.removeQueries({ queryKey: todoKeys.all });
  };

  return {
    query,
    check,
    /** Asks the server again in the background (the user's name changed). */
    refresh: () => queryClient.invalidateQueries({ queryKey: SESSION_KEY }),
    /** Signed in: another account may have used this tab, so its cached todos never show. */
    async started() {
      queryClient.removeQueries({ queryKey: todoKeys.all });
      await check();
    },
    /** The account was deleted: nothing of it stays. */
    ended,
    async signOut() {
      await signOut().catch(() => undefined);
      await ended();
    },
  };
}
