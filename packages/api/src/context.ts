/**
 * Who is calling, as an HTTP request says it: the request's credentials become a `Caller`
 * (packages/db caller.ts), which the database then acts as.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { type Caller, callerDatabase, type Database, type DB, type SessionPolicy } from '@todo/db';
import { fromNodeHeaders } from 'better-auth/node';
import type { Kysely } from 'kysely';
import type { Auth } from './auth.ts';
import type { AuthMail } from './auth-mail.ts';
import type { Context, Live, StreamSlot } from './trpc.ts';

const DAY = 60 * 60 * 24;

/** The session lifetime Better Auth is configured with, which the database's check mirrors. */
export function sessionPolicy(auth: Auth): SessionPolicy {
  return {
    expiresInSeconds: auth.options.session?.expiresIn ?? 7 * DAY,
    updateAgeSeconds: auth.options.session?.updateAge ?? DAY,
  };
}

/**
 * The session token carried by an `Authorization: Bearer …` header, by the bearer plugin's rule:
 * a token without a dot is taken as is (the plugin signs it itself, `requireSignature` being
 * off); `token.signature` (what sign-in hands out in `set-auth-token`, possibly URL-encoded)
 * must carry the HMAC-SHA256 of the token under the auth secret. `undefined` when the header
 * holds no bearer token at all; `null` when it holds one that can never be valid.
 *
 * @example bearerToken('Bearer abc.c2ln…=', secret) // 'abc' when the signature matches
 */
export function bearerToken(header: string | null | undefined, secret: string): string | null | undefined {
  if (header?.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const raw = header.slice(7).trim();
  if (!raw) return undefined;
  if (!raw.includes('.')) return raw;
  let value = raw;
  if (raw.includes('%')) {
    try {
      value = decodeURIComponent(raw);
    } catch {}
  }
  const parts = value.split('.');
  const [token, signature] = parts;
  // Better Auth verifies the first two dot-separated parts, then reads the cookie it builds
  // up to the last dot: they agree only when there is exactly one dot.
  if (parts.length !== 2 || !token || signature?.length !== 44 || !signature.endsWith('=')) return null;
  const expected = createHmac('sha256', secret).update(token).digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected) ? token : null;
}

/**
 * The caller of an HTTP request, from its Node headers. A request with a cookie (browsers) is
 * resolved by Better Auth; one with only `Authorization: Bearer` (programs: the CLI, other
 * services) becomes a session token that the database checks in the caller's own transaction,
 * one statement instead of Better Auth's lookups. With both, Better Auth decides, as it would
 * anyway.
 */
async function requestCaller(auth: Auth, headers: IncomingHttpHeaders): Promise<Caller | null> {
  if (headers.cookie === undefined) {
    const token = bearerToken(headers.authorization, auth.options.secret);
    if (token !== undefined) return token === null ? null : { sessionToken: token };
    // Neither a cookie nor a bearer: no session to find. Better Auth would say the same after a
    // pass through its handler, which a flood of anonymous requests would make everyone wait for.
    return null;
  }
  const session = await auth.api.getSession({ headers: fromNodeHeaders(headers) });
  return session ? { userId: session.user.id, sessionToken: session.session.token } : null;
}

/**
 * Makes the context of each request over HTTP, from the Node request's headers (and, for an
 * event stream, the server's slot for it). The database as callers see it is made once, here;
 * a request's caller is resolved once, when a procedure asks.
 *
 * @example
 * const createContext = httpContext({ db, pgPool, auth, exposeInternalErrors: false });
 * const ctx = createContext(req.headers);
 */
export function httpContext(options: {
  db: Kysely<DB>;
  /** node-postgres only: the pipelined pool that callers' transactions run on. */
  pgPool?: Database['pgPool'];
  auth: Auth;
  exposeInternalErrors: boolean;
  /** Live sync (`todo.changes`); without it subscriptions are refused. */
  live?: Live;
  /** Mail that procedures send (list invites); absent or not enabled, invites are refused. */
  mail?: AuthMail;
}): (headers: IncomingHttpHeaders, stream?: StreamSlot) => Context {
  const { auth, exposeInternalErrors } = options;
  const live = options.live ?? null;
  // Links in mail lead to the app's own origin, which Better Auth knows as its base URL.
  const mail = options.mail?.enabled
    ? { send: options.mail.send, publicUrl: auth.options.baseURL ?? '' }
    : null;
  const db = callerDatabase({ db: options.db, pgPool: options.pgPool ?? null }, sessionPolicy(auth));
  return (headers, stream) => {
    let caller: Promise<Caller | null> | undefined;
    return {
      db,
      caller: () => {
        caller ??= requestCaller(auth, headers);
        return caller;
      },
      exposeInternalErrors,
      live,
      stream: stream ?? null,
      mail,
    };
  };
}
