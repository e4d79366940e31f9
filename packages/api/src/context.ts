import type { DB } from '@todo/db';
import type { Kysely } from 'kysely';
import type { Auth } from './auth.ts';
import type { Context } from './trpc.ts';

/**
 * The context for a request over HTTP: the session comes from the cookie or from
 * `Authorization: Bearer <token>`, resolved by Better Auth only when a procedure needs it.
 */
export function createHttpContext(options: {
  db: Kysely<DB>;
  auth: Auth;
  headers: Headers;
  exposeInternalErrors: boolean;
}): Context {
  return {
    db: options.db,
    exposeInternalErrors: options.exposeInternalErrors,
    resolveUserId: async () => {
      const session = await options.auth.api.getSession({ headers: options.headers });
      return session?.user.id ?? null;
    },
  };
}
