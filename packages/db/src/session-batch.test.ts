// The session-scoped statement (node-postgres only): each statement runs as the token's user,
// under row-level security, or not at all.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoSessionError, scopedOwner, sessionScope } from './session-batch.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

describe.skipIf(!process.env.TEST_DATABASE_URL)('session-scoped statements (pg)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  const alice = randomUUID();
  const bob = randomUUID();
  const policy = { expiresInSeconds: 7 * 86_400, updateAgeSeconds: 86_400 };
  const as = (token: string) => sessionScope(pool, { token, ...policy });

  beforeAll(async () => {
    database = await createTestDatabase('pg');
    pool = new pg.Pool({ connectionString: database.url!, max: 2 });
    await database.db
      .insertInto('users')
      .values([alice, bob].map((id) => ({ id, name: id, email: `${id}@example.com`, email_verified: false })))
      .execute();
    await sql`insert into sessions (token, expires_at, updated_at, user_id) values
      ('alice-token', now() + interval '7 days', now(), ${alice}),
      ('bob-token', now() + interval '7 days', now(), ${bob}),
      ('old-token', now() - interval '1 second', now(), ${alice}),
      ('stale-token', now() + interval '2 days', now(), ${bob})`.execute(database.db);
    await database.db
      .insertInto('todos')
      .values([
        { user_id: alice, title: 'a1' },
        { user_id: bob, title: 'b1' },
      ])
      .execute();
  });

  afterAll(async () => {
    await pool?.end();
    await database?.dispose();
  });

  it('runs as the application role with the session user set, for that statement only', async () => {
    const scope = as('alice-token');
    const { rows } = await sql<{
      role: string;
      user_id: string;
    }>`select current_user as role, current_setting('app.user_id') as user_id`.execute(scope.db);
    expect(rows).toEqual([{ role: 'todo_app', user_id: alice }]);
    expect(await scope.finish()).toBe(true);
    const after = await pool.query(
      `select current_user as role, current_setting('app.user_id', true) as user_id`,
    );
    expect(after.rows[0].role).not.toBe('todo_app');
    expect(after.rows[0].user_id ?? '').toBe('');
  });

  it('sees and changes only the session user’s rows, even without a where clause', async () => {
    const titles = await as('bob-token').db.selectFrom('todos').select('title').execute();
    expect(titles).toEqual([{ title: 'b1' }]);
    const mine = await as('alice-token')
      .db.selectFrom('todos')
      .select('title')
      .where('user_id', '=', scopedOwner)
      .execute();
    expect(mine).toEqual([{ title: 'a1' }]);
    const created = await as('alice-token')
      .db.insertInto('todos')
      .values({ user_id: scopedOwner, title: 'a2' })
      .returning('user_id')
      .executeTakeFirstOrThrow();
    expect(created.user_id).toBe(alice);
  });

  it('runs nothing for an unknown or expired token', async () => {
    for (const token of ['nobody', 'old-token', '']) {
      const scope = as(token);
      await expect(
        scope.db.insertInto('todos').values({ user_id: scopedOwner, title: 'intruder' }).execute(),
      ).rejects.toBeInstanceOf(NoSessionError);
      await expect(scope.db.selectFrom('todos').select('title').execute()).rejects.toBeInstanceOf(
        NoSessionError,
      );
      expect(await scope.finish()).toBe(false);
    }
    const { rows } = await pool.query(`select count(*)::int as n from todos where title = 'intruder'`);
    expect(rows[0].n).toBe(0);
  });

  it('checks the session even when no statement ran, and slides a stale expiry forward', async () => {
    expect(await as('bob-token').finish()).toBe(true);
    expect(await as('nobody').finish()).toBe(false);
    const scope = as('stale-token');
    await scope.db.selectFrom('todos').select('id').execute();
    expect(await scope.finish()).toBe(true);
    const { rows } = await pool.query(
      `select extract(epoch from expires_at - now()) / 86400 as days from sessions where token = 'stale-token'`,
    );
    expect(Number(rows[0].days)).toBeCloseTo(7, 1);
  });

  it('keeps a transaction’s statements together on one connection', async () => {
    const scope = as('alice-token');
    await expect(
      scope.db.transaction().execute(async (trx) => {
        await trx.insertInto('todos').values({ user_id: scopedOwner, title: 'in-transaction' }).execute();
        await trx.insertInto('todos').values({ user_id: scopedOwner, title: '' }).execute(); // check fails
      }),
    ).rejects.toThrow();
    const { rows } = await pool.query(`select count(*)::int as n from todos where title = 'in-transaction'`);
    expect(rows[0].n).toBe(0);
    const titles = await as('alice-token')
      .db.transaction()
      .execute(async (trx) => {
        await trx.insertInto('todos').values({ user_id: scopedOwner, title: 'kept' }).execute();
        return trx.selectFrom('todos').select('title').orderBy('title').execute();
      });
    expect(titles.map((row) => row.title)).toEqual(['a1', 'a2', 'kept']);
  });

  it('prepares each statement once per connection, and stays usable after a statement fails at any step', async () => {
    const single = new pg.Pool({ connectionString: database.url!, max: 1 });
    const on = (token: string) => sessionScope(single, { token, ...policy }).db;
    const titles = (token: string) =>
      on(token)
        .selectFrom('todos')
        .select('title')
        .where('user_id', '=', scopedOwner)
        .orderBy('title')
        .execute();
    try {
      const first = await titles('alice-token');
      expect(first.length).toBeGreaterThan(0);
      expect(await titles('alice-token')).toEqual(first);

      // Refused at Bind (a parameter that is no uuid), at Execute (the title check), by the
      // session check, and at Parse (no such table): each twice, once parsed, once prepared.
      for (let attempt = 0; attempt < 2; attempt++) {
        await expect(
          on('alice-token').selectFrom('todos').select('id').where('id', '=', 'not-a-uuid').execute(),
        ).rejects.toThrow(/uuid/);
        await expect(
          on('alice-token').insertInto('todos').values({ user_id: scopedOwner, title: '' }).execute(),
        ).rejects.toThrow(/check constraint/);
        await expect(titles('nobody')).rejects.toThrow(NoSessionError);
        await expect(sql`select * from nowhere_at_all`.execute(on('alice-token'))).rejects.toThrow(
          /nowhere_at_all/,
        );
      }
      expect(await titles('alice-token')).toEqual(first);
      expect(await titles('bob-token')).toEqual([{ title: 'b1' }]);

      // All on the pool's one connection: each text prepared there once, under one name.
      const { rows } = await single.query<{ name: string; statement: string }>(
        'select name, statement from pg_prepared_statements',
      );
      const texts = rows.map((row) => row.statement);
      expect(new Set(texts).size).toBe(texts.length);
      expect(texts.filter((text) => text.includes('set_config'))).toHaveLength(1);
      expect(texts.filter((text) => text.includes('order by "title"'))).toHaveLength(1);
      expect(texts.some((text) => text.includes('nowhere_at_all'))).toBe(false);
    } finally {
      await single.end();
    }
  });
});
