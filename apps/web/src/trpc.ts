import type { AppRouter, RouterOutputs } from '@todo/client';
import { todoHttpLink } from '@todo/client';
import { createTRPCClient, splitLink, TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { chunk } from './ui/chunk.ts';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type Todo = RouterOutputs['todo']['list']['items'][number];
export type TodoPage = RouterOutputs['todo']['list'];
export type TodoCounts = RouterOutputs['todo']['counts'];
/** The app's tRPC client (createWebClient). */
export type WebClient = ReturnType<typeof createWebClient>;
/** One event of `todo.changes`: a todo's upsert or delete, a reset (refetch), a list's `list` or `listRemoved`. */
export type TodoChange =
  RouterOutputs['todo']['changes'] extends AsyncIterable<{ data: infer Change }> ? Change : never;

/**
 * The app's tRPC client, on the page's own origin. Queries and mutations go in batched POSTs and
 * GETs; subscriptions (`todo.changes`) over server-sent events (live-link.ts), whose code is
 * fetched when the first subscription starts, after the first paint.
 */
export function createWebClient(origin: string) {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: lazyLink(() =>
          import('./live-link.ts').then(({ subscriptionLink }) => subscriptionLink(origin)),
        ),
        false: todoHttpLink({ url: origin }),
      }),
    ],
  });
}

/**
 * A terminating link whose code is loaded by the first operation through it. Operations wait
 * for it; one unsubscribed meanwhile never starts. A failed load (the network went away) is
 * that operation's error, and the next operation tries the load again.
 */
function lazyLink(load: () => Promise<TRPCLink<AppRouter>>): TRPCLink<AppRouter> {
  return (runtime) => {
    const linked = chunk(() => load().then((link) => link(runtime)));
    return ({ op, next }) =>
      observable((observer) => {
        let unsubscribed = false;
        let subscription: { unsubscribe(): void } | undefined;
        linked.load().then(
          (operationLink) => {
            if (!unsubscribed) subscription = operationLink({ op, next }).subscribe(observer);
          },
          (error: unknown) => {
            if (!unsubscribed) observer.error(TRPCClientError.from(error as Error));
          },
        );
        return () => {
          unsubscribed = true;
          subscription?.unsubscribe();
        };
      });
  };
}
