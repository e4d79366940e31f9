import type { AppRouter } from '@todo/api';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';

export type { AppRouter, RouterInputs, RouterOutputs } from '@todo/api';
export { type SignedInUser, signIn, signOut, TodoAuthError } from './auth.ts';
export { TRPCClientError };

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
 * A tRPC client typed by the server's router. Importing it brings no server code: `AppRouter`
 * is a type and is erased at build time.
 *
 * @example
 * const api = createTodoClient({ url: 'http://localhost:3000', token });
 * const { items } = await api.todo.list.query({ filter: 'active' });
 */
export function createTodoClient(options: TodoClientOptions) {
  return createTRPCClient<AppRouter>({ links: [todoHttpLink(options)] });
}

/** The link behind `createTodoClient`, for clients that build their own (React Query). */
export function todoHttpLink(options: TodoClientOptions) {
  const base = options.url.replace(/\/+$/, '');
  return httpBatchLink<AppRouter>({
    url: `${base}/api/trpc`,
    headers: () => ({
      ...options.headers,
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    }),
    fetch: options.fetch,
  });
}

/** The tRPC error code of a failed call (`NOT_FOUND`, `UNAUTHORIZED`, …), or undefined. */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data: unknown = error.data;
  return data && typeof data === 'object' && 'code' in data && typeof data.code === 'string'
    ? data.code
    : undefined;
}
