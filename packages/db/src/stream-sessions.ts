/**
 * Sessions as event streams see them. A stream (todo.changes) opens on its session's token and
 * stays open only while that session lives: the server looks the session up once, then checks
 * all open streams' sessions together on a timer, and hears of ended ones on the change feed
 * (migrations/0012). These run as the server itself, outside any caller's transaction: they
 * decide who a stream is, as Better Auth's own session lookups do.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from './schema.ts';

/** A live session that a stream opened on, and where its user's change log stands. */
export type StreamSession = {
  sessionId: string;
  userId: string;
  /** When the session expires, in milliseconds since the epoch (it may slide later). */
  expiresAt: number;
  /** The newest event in the user's log, '0' when it is empty: where a new stream starts. */
  lastId: string;
};

/**
 * The live session with exactly this token, or null.
 *
 * @example
 * const session = await openStreamSession(db, token);
 * if (!session) answer401();
 */
export async function openStreamSession(db: Kysely<DB>, token: string): Promise<StreamSession | null> {
  const { rows } = await sql<{ id: string; user_id: string; expires_ms: number | string; last_id: string }>`
    select s.id, s.user_id, extract(epoch from s.expires_at) * 1000 as expires_ms,
      coalesce((select c.last_seq from change_counters c where c.user_id = s.user_id), 0)::text as last_id
    from sessions s
    where s.token = ${token} and s.expires_at > now()`.execute(db);
  const row = rows[0];
  return row
    ? { sessionId: row.id, userId: row.user_id, expiresAt: Number(row.expires_ms), lastId: row.last_id }
    : null;
}

/**
 * Which of the sessions `ids` still live, with their expiry (milliseconds since the epoch).
 *
 * @example
 * const live = await liveSessions(db, openStreams.map((stream) => stream.sessionId));
 */
export async function liveSessions(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, number>> {
  const live = new Map<string, number>();
  if (ids.length === 0) return live;
  const { rows } = await sql<{ id: string; expires_ms: number | string }>`
    select id, extract(epoch from expires_at) * 1000 as expires_ms from sessions
    where id = any(${[...ids]}::uuid[]) and expires_at > now()`.execute(db);
  for (const row of rows) live.set(row.id, Number(row.expires_ms));
  return live;
}
