/**
 * The change log (migrations/0007, 0014, 0016): what live sync reads. Triggers write, into the
 * log of every member of a list, one event per statement that changed the list's todos, and
 * one per change of the list itself or its members; each account's events are numbered on
 * their own (`seq`: 1, 2, 3… in commit order; the id a client sees). These functions read a
 * caller's events, as the caller (row-level security), read the events a NOTIFY named, as the
 * server, and prune old ones, as the owner.
 */
import { type Kysely, sql } from 'kysely';
import type { Owner } from './caller.ts';
import type { List } from './lists.ts';
import type { DB } from './schema.ts';
import type { Todo } from './todos.ts';

/**
 * One change a member of a list sees, as `todo.changes` sends it:
 * - `upsert`: a todo as `todo.get` reads it (its `listId` says where it is now);
 * - `delete`: a todo gone from the list `listId`, deleted or moved where they are no member;
 * - `reset`: refetch the list `listId`, or everything without one (a bulk change, or events that
 *   can no longer be replayed);
 * - `list`: a list they are a member of, as `list.all` shows it to them (made, renamed, its members
 *   or their roles changed);
 * - `listRemoved`: a list they are no longer a member of (deleted, they were removed or left).
 *   Nothing more of it follows.
 */
export type TodoChange =
  | { type: 'upsert'; todo: Todo }
  | { type: 'delete'; id: string; listId: string }
  | { type: 'reset'; listId?: string }
  | { type: 'list'; list: List }
  | { type: 'listRemoved'; id: string };

/**
 * A change and its id: the event's number in its account's log, which grows with each of the
 * account's commits (a gap means events were taken out: a list's, when its member was removed).
 * `listId` is the list the event is of, for the stream, which sends only `change`.
 */
export type LoggedChange = { id: string; listId: string | null; change: TodoChange };

/**
 * The channel the triggers NOTIFY on. A notice names up to 100 events, each by its account and
 * row: never their content, which any role that can connect could read.
 */
export const CHANGES_CHANNEL = 'todo_changes';

/** How much of each user's log is kept: at least this long, and at least this many events. */
export type ChangeRetention = { seconds: number; events: number };
export const DEFAULT_RETENTION: ChangeRetention = { seconds: 600, events: 1_000 };

type Row = { seq: string; kind: string; list_id: string | null; todo_id: string | null; body: unknown };

/** The event in a log row, as the trigger wrote it (migrations/0016, `todo_changes_kind`). */
function toChange(row: Row): TodoChange {
  // Written by the trigger in the contract's form; PGlite parses jsonb, pg too.
  const body = typeof row.body === 'string' ? JSON.parse(row.body) : row.body;
  const listId = row.list_id ?? '';
  switch (row.kind) {
    case 'upsert':
      return { type: 'upsert', todo: body as Todo };
    case 'delete':
      return { type: 'delete', id: row.todo_id ?? '', listId };
    case 'list':
      return { type: 'list', list: body as List };
    case 'listRemoved':
      return { type: 'listRemoved', id: listId };
    default:
      return row.list_id ? { type: 'reset', listId } : { type: 'reset' };
  }
}

const toLogged = (row: Row): LoggedChange => ({ id: row.seq, listId: row.list_id, change: toChange(row) });

/**
 * The caller's own user id and the id of the newest event in their log ('0' when it is empty):
 * where a new stream starts.
 */
export async function changeLogHead(
  db: Kysely<DB>,
  owner: Owner,
): Promise<{ userId: string; lastId: string }> {
  const { rows } = await sql<{ user_id: string; last_id: string | null }>`
    select ${owner}::text as user_id,
      (select max(seq)::text from todo_changes where user_id = ${owner}) as last_id`.execute(db);
  const row = rows[0];
  if (!row) throw new Error('the head query returned no row');
  return { userId: row.user_id, lastId: row.last_id ?? '0' };
}

/** How much of the log one read returns at most: a stalled reader holds no more than this. */
export type ChangesPage = { rows: number; bytes: number };
export const DEFAULT_PAGE: ChangesPage = { rows: 100, bytes: 131_072 };

/**
 * The caller's events after `afterId`, oldest first, one page of them: at most `page.rows`
 * events and, past the first, no more than `page.bytes` of event text; `more` says whether the
 * log holds more after the page. `null` when the log cannot prove it still holds every event
 * after `afterId` (the event `afterId` itself was pruned, or is not the caller's): the
 * subscriber must reset. `afterId` '0' means "from the beginning of an empty log" (a stream's
 * start, never a client's).
 *
 * @example
 * const page = await changesSince(db, owner, lastSent);
 * if (page === null) sendReset(); else for (const event of page.events) send(event);
 */
export async function changesSince(
  db: Kysely<DB>,
  owner: Owner,
  afterId: string,
  page: ChangesPage = DEFAULT_PAGE,
): Promise<{ events: LoggedChange[]; more: boolean } | null> {
  const anchored = afterId !== '0';
  // The event `afterId` itself comes along: pruning takes each user's oldest events first, so
  // while it is still here, so is everything after it. Ids are ordered as numbers, never as
  // their text ('10' sorts before '9'). The byte budget is applied in the
  // database, so an oversized page never leaves it: the anchor and the first event always
  // come, every later one only while the events before it fit.
  const { rows } = await sql<Row & { fetched: number | string }>`
    with sized as (
      select id, seq, sum(size) over (order by seq) - size as before,
        row_number() over (order by seq) as n, count(*) over () as fetched
      from (
        select id, seq, case when seq = ${afterId}::bigint then 0 else size end as size
        from todo_changes
        where user_id = ${owner} and seq >= ${afterId}::bigint
        order by seq
        limit ${page.rows + 2}
      ) as candidates
    )
    select sized.seq::text as seq, c.kind, c.list_id, c.todo_id, c.body, sized.fetched
    from sized join todo_changes c on c.id = sized.id
    where sized.n <= ${anchored ? 2 : 1} or sized.before < ${page.bytes}
    order by sized.seq -- not the text alias`.execute(db);
  let events = rows;
  if (anchored) {
    if (rows[0]?.seq !== afterId) return null;
    events = rows.slice(1);
  } else if (events.length > 0 && events[0]?.seq !== '1') {
    // From '0' (an account that had no events when its stream opened) the log is whole only
    // while it still starts at the account's first event.
    return null;
  }
  const fetched = Number(rows[0]?.fetched ?? 0);
  const kept = events.slice(0, page.rows);
  const more = kept.length < events.length || rows.length < fetched;
  return { events: kept.map(toLogged), more };
}

/** An event a NOTIFY named: its account, and the event under its number. */
export type NotifiedChange = { userId: string; event: LoggedChange };

/**
 * The events of the log rows `rows` (as NOTIFYs name them) that belong to `userIds`, read as the
 * server: the change feed's one read for a batch of notices, for the accounts whose streams it
 * serves. Rows already pruned are missing from the answer.
 *
 * @example const events = await notifiedChanges(db, ['1042', '1043'], servedUsers);
 */
export async function notifiedChanges(
  db: Kysely<DB>,
  rows: readonly string[],
  userIds: readonly string[],
): Promise<NotifiedChange[]> {
  if (rows.length === 0 || userIds.length === 0) return [];
  const { rows: found } = await sql<Row & { user_id: string }>`
    select user_id, seq::text as seq, kind, list_id, todo_id, body from todo_changes
    where id = any(${[...rows]}::bigint[]) and user_id = any(${[...userIds]}::uuid[])
    order by user_id, todo_changes.seq`.execute(db);
  return found.map((row) => ({ userId: row.user_id, event: toLogged(row) }));
}

/**
 * Deletes events past retention: for each user, the events that are both older than
 * `retention.seconds` and beyond their newest `retention.events`. Runs as the owner (the
 * server's maintenance), never as a caller. Returns how many it deleted.
 */
export async function pruneChanges(
  db: Kysely<DB>,
  retention: ChangeRetention = DEFAULT_RETENTION,
): Promise<number> {
  // Each user's cut is one number: everything up to it goes, so what stays is always the
  // newest events, whole but for the events a removal took out on purpose (changesSince relies
  // on it).
  const result = await sql`
    with ranked as (
      select user_id, seq, created_at,
        row_number() over (partition by user_id order by seq desc) as newer
      from todo_changes
    ), cuts as (
      select user_id, max(seq) as through from ranked
      where newer > ${retention.events}
        and created_at < clock_timestamp() - make_interval(secs => ${retention.seconds})
      group by user_id
    )
    delete from todo_changes c using cuts
    where c.user_id = cuts.user_id and c.seq <= cuts.through`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
