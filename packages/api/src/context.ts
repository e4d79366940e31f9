import type { Database, DB } from '@todo/db';
import type { Kysely } from 'kysely';
import type { Auth } from './auth.ts';
import { bearerToken } from './session.ts';
import type { Context } from './trpc.ts';

const DAY = 60 * 60 * 24;

/**
 * The context for a request over HTTP. A request that carries only `Authorization: Bearer`
 * (programs: the CLI, the benchmark) has its token checked by the statement that opens the
 * caller's scope (session.ts); one that carries a cookie (browsers) is resolved by Better
 * Auth, only when a procedure needs it. With both, Better Auth decides, as it would anyway.
 */
export function createHttpContext(options: {
  db: Kysely<DB>;
  /** node-postgres only: lets a bearer session be checked in each statement's round trip. */
  pgPool?: Database['pgPool'];
  auth: Auth;
  headers: Headers;
  exposeInternalErrors: boolean;
}): Context {
  const { auth, headers } = options;
  const token = headers.has('cookie')
    ? undefined
    : bearerToken(headers.get('authorization'), auth.options.secret);
  return {
    db: options.db,
    pgPool: options.pgPool ?? null,
    exposeInternalErrors: options.exposeInternalErrors,
    bearerSession:
      token === undefined
        ? undefined
        : token === null
          ? null
          : {
              token,
              expiresInSeconds: auth.options.session?.expiresIn ?? 7 * DAY,
              updateAgeSeconds: auth.options.session?.updateAge ?? DAY,
            },
    resolveUserId: async () => {
      const session = await auth.api.getSession({ headers });
      return session?.user.id ?? null;
    },
  };
}
