// The caller seam (caller.ts) on every driver: a procedure runs as one transaction as its
// caller, or, when the session check fails, nothing of it runs at all.
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, callerDatabase, NoSessionError, type Owner } from './caller.ts';
import { PipelinedPgClient } from './pg-pipeline.ts';
import type { DB } from './schema.ts';
import { createTestDatabase, createTestUser, type TestDatabase, testDrivers } from './testing.ts';

const policy = { expiresInSeconds: 7 * 86_400, updateAgeSeconds: 86_400 };

describe.each(testDrivers)('acting as the caller (%s)', (driver) => {
  let database: TestDatabase;
  const alice = randomUUID();
  const bob = randomUUID();
  const as = <T>(
    caller: Caller,
    fn: (db: Kysely<DB>, owner: Owner) => Promise<T>,
    options?: { readOnly?: boolean },
  ) => callerDatabase(database, policy).as(caller, fn, options);
  const count = async (title: string) =>
    Number(
      (await sql<{ n: number }>`select count(*) as n from todos where title = ${title}`.execute(database.db))
        .rows[0]?.n,
    );

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    for (const id of [alice, bob]) await createTestUser(database.db, id, { id });
    await sql`insert into sessions (token, expires_at, updated_at, user_id) values
      ('alice-token', now() + interval '7 days', now(), ${alice}),
      ('bob-token', now() + interval '7 days', now(), ${bob}),
      ('old-token', now() - interval '1 second', now(), ${alice}),
      ('stale-token', now() + interval '2 days', now(), ${bob})`.execute(database.db);
    await database.db
      .insertInto('todos')
      .values([
        { created_by: alice, title: 'a1' },
        { created_by: bob, title: 'b1' },
      ])
      .execute();
  });
  afterAll(() => database?.dispose());

  it('runs as the application role with the session user set, for that transaction only', async () => {
    for (const [caller, id] of [
      [{ sessionToken: 'alice-token' }, alice],
      [{ userId: bob }, bob],
    ] as const) {
      const { rows } = await as(caller, (db) =>
        sql<{
          role: string;
          user_id: string;
        }>`select current_user as role, current_setting('app.user_id') as user_id`.execute(db),
      );
      expect(rows).toEqual([{ role: 'todo_app', user_id: id }]);
    }
    const after = await sql<{
      role: string;
      user_id: string | null;
    }>`select current_user as role, nullif(current_setting('app.user_id', true), '') as user_id`.execute(
      database.db,
    );
    expect(after.rows[0]?.role).not.toBe('todo_app');
    expect(after.rows[0]?.user_id).toBeNull();
  });

  it('sees and changes only the session user’s rows, even without a where clause', async () => {
    const titles = await as({ sessionToken: 'bob-token' }, (db) =>
      db.selectFrom('todos').select('title').execute(),
    );
    expect(titles).toEqual([{ title: 'b1' }]);
    const created = await as({ sessionToken: 'alice-token' }, (db, owner) =>
      db
        .insertInto('todos')
        .values({ created_by: owner, title: 'a2' })
        .returning('created_by')
        .executeTakeFirstOrThrow(),
    );
    expect(created.created_by).toBe(alice);
  });

  it('runs nothing for an unknown or expired token, even where the pool’s role bypasses row-level security', async () => {
    // The test databases connect as a superuser: row-level security would not stop a statement
    // that ran as the login role. The would-be write names its owner literally, as a careless
    // query might, so only the check stands in its way.
    const role = await sql<{
      super: boolean;
    }>`select rolsuper as super from pg_roles where rolname = current_user`.execute(database.db);
    expect(role.rows[0]?.super).toBe(true);
    for (const sessionToken of ['nobody', 'old-token', '']) {
      await expect(
        as({ sessionToken }, (db) =>
          db.insertInto('todos').values({ created_by: alice, title: 'intruder' }).execute(),
        ),
      ).rejects.toBeInstanceOf(NoSessionError);
      await expect(
        as({ sessionToken }, (db) => sql`update todos set title = 'defaced'`.execute(db)),
      ).rejects.toBeInstanceOf(NoSessionError);
      // The procedure ran no statement: the session still decides.
      await expect(as({ sessionToken }, async () => 'nothing ran')).rejects.toBeInstanceOf(NoSessionError);
    }
    expect(await count('intruder')).toBe(0);
    expect(await count('defaced')).toBe(0);
  });

  it('is all or nothing: a failing statement takes the earlier ones with it', async () => {
    await expect(
      as({ sessionToken: 'alice-token' }, async (db, owner) => {
        await db.insertInto('todos').values({ created_by: owner, title: 'half-done' }).execute();
        await db.insertInto('todos').values({ created_by: owner, title: '' }).execute(); // the title check
      }),
    ).rejects.toThrow(/check constraint/);
    await expect(
      as({ userId: alice }, async (db, owner) => {
        await db.insertInto('todos').values({ created_by: owner, title: 'half-done' }).execute();
        throw new Error('the procedure failed after writing');
      }),
    ).rejects.toThrow('the procedure failed after writing');
    expect(await count('half-done')).toBe(0);

    const titles = await as({ sessionToken: 'alice-token' }, async (db, owner) => {
      await db.insertInto('todos').values({ created_by: owner, title: 'kept' }).execute();
      return db.selectFrom('todos').select('title').orderBy('title').execute();
    });
    expect(titles.map((row) => row.title)).toEqual(['a1', 'a2', 'kept']);
  });

  it('runs a read-only procedure read-only: every statement as the caller, no write at all', async () => {
    const seen = await as(
      { sessionToken: 'alice-token' },
      async (db) => [
        (await db.selectFrom('todos').select('title').orderBy('title').execute()).map((row) => row.title),
        (await sql<{ role: string }>`select current_user as role`.execute(db)).rows[0]?.role,
      ],
      { readOnly: true },
    );
    expect(seen).toEqual([['a1', 'a2', 'kept'], 'todo_app']);
    await expect(
      as(
        { sessionToken: 'alice-token' },
        (db, owner) =>
          db.insertInto('todos').values({ created_by: owner, title: 'written-in-a-query' }).execute(),
        { readOnly: true },
      ),
    ).rejects.toThrow(/read-only transaction/);
    await expect(
      as({ userId: alice }, (db) => sql`delete from todos`.execute(db), { readOnly: true }),
    ).rejects.toThrow(/read-only transaction/);
    expect(await count('written-in-a-query')).toBe(0);
    expect(await count('a1')).toBe(1);
    await expect(
      as({ sessionToken: 'nobody' }, (db) => db.selectFrom('todos').select('title').execute(), {
        readOnly: true,
      }),
    ).rejects.toBeInstanceOf(NoSessionError);
  });

  it('answers a procedure that ran no statement, and slides a stale session’s expiry forward', async () => {
    expect(await as({ sessionToken: 'bob-token' }, async () => 'ok')).toBe('ok');
    const expiry = async () =>
      Number(
        (
          await sql<{
            days: number;
          }>`select extract(epoch from expires_at - now()) / 86400 as days from sessions where token = 'stale-token'`.execute(
            database.db,
          )
        ).rows[0]?.days,
      );
    expect(await expiry()).toBeCloseTo(2, 1);
    await as({ sessionToken: 'stale-token' }, (db) => db.selectFrom('todos').select('id').execute(), {
      readOnly: true,
    });
    expect(await expiry()).toBeCloseTo(7, 1);
    await sql`update sessions set expires_at = now() + interval '2 days' where token = 'stale-token'`.execute(
      database.db,
    );
    await as({ sessionToken: 'stale-token' }, (db) => db.selectFrom('todos').select('id').execute());
    expect(await expiry()).toBeCloseTo(7, 1);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('the pipelined transaction (pg)', () => {
  let database: TestDatabase;
  let single: pg.Pool;
  const alice = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase('pg');
    single = new pg.Pool({ connectionString: database.url!, max: 1, Client: PipelinedPgClient });
    await createTestUser(database.db, 'alice', { id: alice });
    await sql`insert into sessions (token, expires_at, updated_at, user_id)
      values ('alice-token', now() + interval '7 days', now(), ${alice})`.execute(database.db);
    await database.db.insertInto('todos').values({ created_by: alice, title: 'a1' }).execute();
  });
  afterAll(async () => {
    await single?.end();
    await database?.dispose();
  });

  it('prepares each statement once per connection, and stays usable after a statement fails at any step', async () => {
    const { as } = callerDatabase({ db: database.db, pgPool: single }, policy);
    const titles = (sessionToken: string) =>
      as({ sessionToken }, (db, owner) =>
        db.selectFrom('todos').select('title').where('created_by', '=', owner).orderBy('title').execute(),
      );
    const first = await titles('alice-token');
    expect(first).toEqual([{ title: 'a1' }]);

    // Refused at Bind (a parameter that is no uuid), at Execute (the title check), by the
    // session check, and at Parse (no such table): each twice, once parsed, once prepared.
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(
        as({ sessionToken: 'alice-token' }, (db) =>
          db.selectFrom('todos').select('id').where('id', '=', 'not-a-uuid').execute(),
        ),
      ).rejects.toThrow(/uuid/);
      await expect(
        as({ sessionToken: 'alice-token' }, (db, owner) =>
          db.insertInto('todos').values({ created_by: owner, title: '' }).execute(),
        ),
      ).rejects.toThrow(/check constraint/);
      await expect(titles('nobody')).rejects.toThrow(NoSessionError);
      await expect(
        as({ sessionToken: 'alice-token' }, (db) => sql`select * from nowhere_at_all`.execute(db)),
      ).rejects.toThrow(/nowhere_at_all/);
    }
    expect(await titles('alice-token')).toEqual(first);

    // All on the pool's one connection: each text prepared there once, under one name, and the
    // connection left outside any transaction, as the login role.
    const { rows } = await single.query<{ statement: string }>(
      'select statement from pg_prepared_statements',
    );
    const texts = rows.map((row) => row.statement);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts.filter((text) => text.includes('todo_no_session'))).toHaveLength(1);
    expect(texts.filter((text) => text.includes('order by "title"'))).toHaveLength(1);
    expect(texts.some((text) => text.includes('nowhere_at_all'))).toBe(false);
    const state = await single.query<{ role: string; in_transaction: boolean }>(
      `select current_user as role, now() <> statement_timestamp() as in_transaction`,
    );
    expect(state.rows[0]?.role).not.toBe('todo_app');
    expect(state.rows[0]?.in_transaction).toBe(false);
  });

  it('commits each statement in the write that sends it with commitEach, as the caller, and runs nothing without a session', async () => {
    const { as } = callerDatabase({ db: database.db, pgPool: single }, policy);
    const outside = async (title: string) =>
      (await database.db.selectFrom('todos').select('updated_by').where('title', '=', title).execute()).map(
        (row) => row.updated_by,
      );
    const seen = await as(
      { sessionToken: 'alice-token' },
      async (db, owner) => {
        await db.insertInto('todos').values({ created_by: owner, title: 'one write' }).execute();
        // Committed already: another connection sees it before the procedure returns.
        const committed = await outside('one write');
        const mine = await db.selectFrom('todos').select('title').orderBy('title').execute();
        return { committed, mine: mine.map((row) => row.title) };
      },
      { commitEach: true },
    );
    expect(seen.committed).toEqual([alice]); // written as Alice: the trigger took app.user_id
    expect(seen.mine).toEqual(['a1', 'one write']);

    await expect(
      as(
        { sessionToken: 'nobody' },
        (db, owner) => db.insertInto('todos').values({ created_by: owner, title: 'intruder' }).execute(),
        { commitEach: true },
      ),
    ).rejects.toThrow(NoSessionError);
    expect(await outside('intruder')).toEqual([]);
    const state = await single.query<{ role: string; in_transaction: boolean }>(
      `select current_user as role, now() <> statement_timestamp() as in_transaction`,
    );
    expect(state.rows[0]).toEqual({ role: expect.not.stringMatching(/^todo_app$/), in_transaction: false });
  });

  it('refuses a nested transaction: the procedure already is one', async () => {
    const { as } = callerDatabase({ db: database.db, pgPool: single }, policy);
    await expect(
      as({ sessionToken: 'alice-token' }, (db) => db.transaction().execute(async () => 'nested')),
    ).rejects.toThrow(/already runs in one transaction/);
  });
});
