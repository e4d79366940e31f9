import type { AppRouter, RouterOutputs } from '@todo/client';
import { todoHttpLink } from '@todo/client';
import { createTRPCClient, httpSubscriptionLink, splitLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type Todo = RouterOutputs['todo']['list']['items'][number];
export type TodoPage = RouterOutputs['todo']['list'];
export type TodoCounts = RouterOutputs['todo']['counts'];
/** One event of `todo.changes`: an upsert, a delete, or a reset (refetch everything). */
export type TodoChange =
  RouterOutputs['todo']['changes'] extends AsyncIterable<{ data: infer Change }> ? Change : never;

/**
 * The app's tRPC client, on the page's own origin. Queries and mutations go in batched POSTs and
 * GETs; subscriptions (`todo.changes`) over server-sent events through the browser's own
 * EventSource, which sends the session cookie on the same origin (the CSP allows only 'self').
 * It reconnects by itself with `Last-Event-ID`, and tRPC's link adds `lastEventId` to the input
 * when it has to open a new EventSource, so the server replays what the tab missed.
 */
export function createWebClient(origin: string) {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url: `${origin}/api/trpc` }),
        false: todoHttpLink({ url: origin }),
      }),
    ],
  });
}
