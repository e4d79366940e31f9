/**
 * Failed sign-ins counted in PostgreSQL (migrations/0010), so that every server process on one
 * database enforces one limit. The keys come hashed from the limiter; times are milliseconds
 * since the epoch on the caller's clock, as the limiter passes them.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from './schema.ts';

/** Failures counted under one key until `expiresAt` (ms since the epoch). */
export type FailureCount = { count: number; expiresAt: number };

type Row = { count: number | string; expires_at: number | string };

// bigint comes back as a number from PGlite and from pg (its parser is set in database.ts), but
// the column type says string: one conversion for every driver.
const toCount = (row: Row): FailureCount => ({ count: Number(row.count), expiresAt: Number(row.expires_at) });

/** The live count under `key`; undefined when there is none or its window has ended. */
export async function getSignInFailures(
  db: Kysely<DB>,
  key: string,
  now: number,
): Promise<FailureCount | undefined> {
  const row = await db
    .selectFrom('sign_in_failures')
    .select(['count', 'expires_at'])
    .where('key', '=', key)
    .where('expires_at', '>', String(now))
    .executeTakeFirst();
  return row ? toCount(row) : undefined;
}

/**
 * Adds one failure under `key` in one statement: a new row opens a window of `windowMs`, a live
 * one counts up, and an ended one starts again at 1 with a new window. The upsert locks the row,
 * so concurrent increments from any number of connections each count once.
 *
 * @example
 * const { count, expiresAt } = await incrementSignInFailures(db, key, Date.now(), 15 * 60_000);
 */
export async function incrementSignInFailures(
  db: Kysely<DB>,
  key: string,
  now: number,
  windowMs: number,
): Promise<FailureCount> {
  const { rows } = await sql<Row>`
    insert into sign_in_failures as f (key, count, expires_at)
    values (${key}, 1, ${now + windowMs})
    on conflict (key) do update set
      count = case when f.expires_at <= ${now} then 1 else f.count + 1 end,
      expires_at = case when f.expires_at <= ${now} then excluded.expires_at else f.expires_at end
    returning count, expires_at`.execute(db);
  const row = rows[0];
  if (!row) throw new Error('the upsert returned no row');
  return toCount(row);
}

export async function deleteSignInFailures(db: Kysely<DB>, key: string): Promise<void> {
  await db.deleteFrom('sign_in_failures').where('key', '=', key).execute();
}

/** Deletes every count whose window has ended by `now`; returns how many. */
export async function pruneSignInFailures(db: Kysely<DB>, now = Date.now()): Promise<number> {
  const result = await db
    .deleteFrom('sign_in_failures')
    .where('expires_at', '<=', String(now))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * The three calls of the sign-in limiter's `FailureStore` on `db`.
 *
 * @example
 * new SignInLimiter({ maxFailures: 10, windowMs: 15 * 60_000, store: signInFailureStore(db) });
 */
export function signInFailureStore(db: Kysely<DB>) {
  return {
    get: (key: string, now: number) => getSignInFailures(db, key, now),
    increment: (key: string, now: number, windowMs: number) =>
      incrementSignInFailures(db, key, now, windowMs),
    delete: (key: string) => deleteSignInFailures(db, key),
  };
}
