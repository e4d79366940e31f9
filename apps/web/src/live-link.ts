import type { AppRouter } from '@todo/client';
// `?live`: a second copy of @trpc/client's entry module, so that the bundler can put the
// event-stream code (httpSubscriptionLink, and @trpc/server's SSE reader behind it) into this
// lazy chunk. The entry is one module that the first load needs (createTRPCClient, splitLink),
// and a module cannot be split between chunks. Only the entry is copied, and tRPC's WebSocket
// module, which the first load has no use for (vite.config.ts); the other modules it imports
// (TRPCClientError, observables) are the same ones, so `instanceof TRPCClientError` holds in the
// build. (Under `vite` in development the copy is the package's own file beside the pre-bundled
// one, with classes of its own; the live sync asks its errors for no class.)
// The module's types: trpc-client-live.d.ts.
import { httpSubscriptionLink } from '@trpc/client?live';

/**
 * Subscriptions (`todo.changes`) over server-sent events through the browser's own EventSource,
 * which sends the session cookie on the same origin (the CSP allows only 'self'). It reconnects
 * by itself with `Last-Event-ID`, and tRPC's link adds `lastEventId` to the input when it has to
 * open a new EventSource, so the server replays what the tab missed.
 *
 * Loaded on demand by the first subscription (trpc.ts): no part of the first paint needs it.
 */
export const subscriptionLink = (origin: string) =>
  httpSubscriptionLink<AppRouter, typeof EventSource>({ url: `${origin}/api/trpc` });
