import type { AppRouter, RouterOutputs } from '@todo/api';
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  retryLink,
  splitLink,
  TRPCClientError,
  type TRPCLink,
} from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { EventSource } from 'eventsource';

export type { AppRouter, RouterInputs, RouterOutputs } from '@todo/api';
export { changePassword, type SignedInUser, signIn, signOut, signUp, TodoAuthError } from './auth.ts';
export { TRPCClientError };

/** One event of `todo.changes`: a todo's `upsert` or `delete`, a `reset`, a `list` or a `listRemoved` (contract: Realtime). */
export type TodoChange =
  RouterOutputs['todo']['changes'] extends AsyncIterable<{ data: infer C }> ? C : never;

export type TodoClientOptions = {
  /** The server's origin, e.g. http://localhost:3000 (the API lives under /api/trpc). */
  url: string;
  /** A session token from sign-in's `set-auth-token` header, sent as a bearer token. */
  token?: string;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** A fetch implementation; defaults to the global one. In a browser on the app's own origin the
   * session cookie goes along by itself. */
  fetch?: typeof fetch;
};

/**
 * A tRPC client typed by the server's router: queries and mutations go out batched over HTTP,
 * subscriptions (`todo.changes`) over server-sent events, both with the bearer token. Importing
 * it brings no server code: `AppRouter` is a type and is erased at build time.
 *
 * @example
 * const api = createTodoClient({ url: 'http://localhost:3000', token });
 * const { items } = await api.todo.list.query({ filter: 'active' });
 * const stream = api.todo.changes.subscribe({}, { onData: ({ id, data }) => console.log(id, data) });
 * stream.unsubscribe();
 */
export function createTodoClient(options: TodoClientOptions) {
  return createTRPCClient<AppRouter>({ links: todoLinks(options) });
}

/** The links behind `createTodoClient`: subscriptions to `todoSubscriptionLink`, the rest to `todoHttpLink`. */
export function todoLinks(options: TodoClientOptions) {
  return [
    splitLink<AppRouter>({
      condition: (op) => op.type === 'subscription',
      true: todoSubscriptionLink(options),
      false: todoHttpLink(options),
    }),
  ];
}

/** The link behind `createTodoClient`, for clients that build their own (React Query). */
export function todoHttpLink(options: TodoClientOptions) {
  return httpBatchLink<AppRouter>({
    url: trpcUrl(options),
    headers: () => headersFor(options),
    fetch: options.fetch,
  });
}

/**
 * Subscriptions over server-sent events. Browsers' EventSource cannot send headers and Node 20
 * has none, so this uses the `eventsource` package, whose `fetch` option adds the bearer token.
 * The event source reconnects by itself after a dropped connection, and tRPC's link resumes
 * from the last event id it saw.
 *
 * An HTTP error on (re)connecting ends an event source for good, with an error event that
 * says only the status. So the server's own answer is kept (`refusalLink`) and reported the
 * way a query's would be: a refusal (401 once the session has ended, 400) reaches the
 * subscriber's `onError` with its tRPC code; a server error (5xx: a restart behind a proxy, a
 * database away) is retried with a capped backoff.
 */
export function todoSubscriptionLink(options: TodoClientOptions) {
  const doFetch = options.fetch ?? fetch;
  return [
    retryLink<AppRouter>({
      retry: ({ error }) => (error.data?.httpStatus ?? 500) >= 500,
      retryDelayMs: (attempt) => Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)),
    }),
    refusalLink,
    httpSubscriptionLink<AppRouter, typeof EventSource>({
      url: trpcUrl(options),
      EventSource,
      eventSourceOptions: ({ op }) => ({
        fetch: async (input, init) => {
          const response = await doFetch(input, {
            ...init,
            headers: { ...init.headers, ...headersFor(options) },
          });
          if (response.status >= 400) (op.context as RefusalContext)[REFUSAL]?.(await refusal(response));
          return response;
        },
      }),
    }),
  ];
}

const REFUSAL = Symbol('refusal');
type RefusalContext = { [REFUSAL]?: (error: TRPCClientError<AppRouter>) => void };

/** Gives each attempt a place to keep the server's refusal, and reports it instead of the event source's bare error. */
const refusalLink: TRPCLink<AppRouter> =
  () =>
  ({ op, next }) =>
    observable((observer) => {
      let refused: TRPCClientError<AppRouter> | undefined;
      const context: RefusalContext = {
        [REFUSAL]: (error) => {
          refused = error;
        },
      };
      const subscription = next({ ...op, context: { ...op.context, ...context } }).subscribe({
        next: (envelope) => observer.next(envelope),
        error: (error) => observer.error(refused ?? error),
        complete: () => observer.complete(),
      });
      return () => subscription.unsubscribe();
    });

/** A refused event stream's answer as a tRPC client error: the server's JSON error when it sent one. */
async function refusal(response: Response): Promise<TRPCClientError<AppRouter>> {
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => null);
  if (body && typeof body === 'object' && 'error' in body) return TRPCClientError.from(body);
  const code = CODE_OF_STATUS[response.status] ?? 'INTERNAL_SERVER_ERROR';
  return TRPCClientError.from({
    error: { code: -32603, message: `HTTP ${response.status}`, data: { code, httpStatus: response.status } },
  });
}

const trpcUrl = (options: TodoClientOptions) => `${options.url.replace(/\/+$/, '')}/api/trpc`;

const headersFor = (options: TodoClientOptions): Record<string, string> => ({
  ...options.headers,
  ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
});

const CODE_OF_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'TOO_MANY_REQUESTS',
};

/** The tRPC error code of a failed call or subscription (`NOT_FOUND`, `UNAUTHORIZED`, …), or undefined. */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data: unknown = error.data;
  return data && typeof data === 'object' && 'code' in data && typeof data.code === 'string'
    ? data.code
    : undefined;
}
