// What the fuzz tests check stays as it was: everything of the other user's (Bob's) that a
// hostile caller (Alice) could reach. Imported by the api's and the server's fuzz tests.
import type { DB } from '@todo/db';
import { type Kysely, sql } from 'kysely';

/** Everything of Bob's: his todos, his lists, their members but Alice (who may leave), their invites. */
export const othersRows = async (db: Kysely<DB>, userId: string, aliceId: string) => ({
  todos: await db.selectFrom('todos').selectAll().where('created_by', '=', userId).orderBy('id').execute(),
  lists: await db.selectFrom('lists').selectAll().where('owner_id', '=', userId).orderBy('id').execute(),
  members: (
    await sql`select m.* from list_members m join lists l on l.id = m.list_id
      where l.owner_id = ${userId} and m.user_id <> ${aliceId} order by m.list_id, m.user_id`.execute(db)
  ).rows,
  invites: (
    await sql`select i.id, i.email, i.accepted_at from list_invites i join lists l on l.id = i.list_id
      where l.owner_id = ${userId} order by i.id`.execute(db)
  ).rows,
});

/**
 * What `othersRows` reads, as one md5 in one statement: compared after every call (four reads
 * and a deep comparison per call made the fuzz files the suite's slowest); the whole rows are
 * compared after each procedure's runs, so a difference still shows row by row.
 */
export const othersPrint = async (db: Kysely<DB>, userId: string, aliceId: string) =>
  (
    await sql<{ print: string }>`select md5(concat_ws('|',
      (select string_agg(t::text, ',' order by t.id) from todos t where t.created_by = ${userId}),
      (select string_agg(l::text, ',' order by l.id) from lists l where l.owner_id = ${userId}),
      (select string_agg(m::text, ',' order by m.list_id, m.user_id) from list_members m
        join lists l on l.id = m.list_id where l.owner_id = ${userId} and m.user_id <> ${aliceId}),
      (select string_agg(concat_ws(':', i.id, i.email, i.accepted_at), ',' order by i.id)
        from list_invites i join lists l on l.id = i.list_id where l.owner_id = ${userId})
    )) as print`.execute(db)
  ).rows[0]?.print;
