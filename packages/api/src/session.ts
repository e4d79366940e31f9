/**
 * The bearer-token fast path: the check Better Auth's `getSession` makes for
 * `Authorization: Bearer <token>`, done by the statement that also opens the caller's
 * row-level-security scope, so an authed request costs one statement for "who is this and
 * make the database act as them" instead of Better Auth's lookup followed by the scope.
 * It is exactly as strict: the same signature rule, an exact token match, an unexpired
 * session (whose user exists: sessions cascade with users), and the same sliding refresh.
 * Cookie-carrying requests keep going through Better Auth (see context.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { APP_ROLE, type DB } from '@todo/db';
import { type Kysely, sql, type Transaction } from 'kysely';

/** Better Auth's session lifetime settings, which the refresh below mirrors. */
export type SessionPolicy = { expiresInSeconds: number; updateAgeSeconds: number };

export type BearerSession = SessionPolicy & { token: string };

/**
 * The session token carried by an `Authorization: Bearer …` header, by the bearer plugin's rule:
 * a token without a dot is taken as is (the plugin signs it itself, `requireSignature` being
 * off); `token.signature` (what sign-in hands out in `set-auth-token`, possibly URL-encoded)
 * must carry the HMAC-SHA256 of the token under the auth secret. `undefined` when the header
 * holds no bearer token at all; `null` when it holds one that can never be valid.
 *
 * @example bearerToken('Bearer abc.c2ln…=', secret) // 'abc' when the signature matches
 */
export function bearerToken(header: string | null, secret: string): string | null | undefined {
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
 * Runs `fn` in a transaction as the owner of the bearer session `session.token`, or answers
 * null, having run nothing, when no live session has that token. One statement finds the
 * session, slides its expiry forward once per `updateAge` as Better Auth does, and sets the
 * transaction-local role and `app.user_id` that row-level security reads (see withUserScope).
 */
export function withSessionScope<T>(
  db: Kysely<DB>,
  session: BearerSession,
  fn: (trx: Transaction<DB>, userId: string) => Promise<T>,
): Promise<{ value: T } | null> {
  const { token, expiresInSeconds, updateAgeSeconds } = session;
  return db.transaction().execute(async (trx) => {
    // A data-modifying CTE always runs; its update matches the session at most once a day.
    const { rows } = await sql<{ user_id: string }>`
      with session as (
        select id, user_id from sessions where token = ${token} and expires_at > now()
      ), refreshed as (
        update sessions
        set expires_at = now() + make_interval(secs => ${expiresInSeconds}), updated_at = now()
        where id = (select id from session)
          and expires_at <= now() + make_interval(secs => ${expiresInSeconds - updateAgeSeconds})
      )
      select set_config('app.user_id', user_id::text, true) as user_id, set_config('role', ${APP_ROLE}, true)
      from session`.execute(trx);
    const userId = rows[0]?.user_id;
    if (!userId) return null;
    return { value: await fn(trx, userId) };
  });
}
