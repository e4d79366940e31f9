import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateSchemaSource, SCHEMA_FILE } from './codegen.ts';
import { createTestDatabase, createTestUser, queryRows, type TestDatabase, testDrivers } from './testing.ts';
import { createTodo, updateTodo } from './todo-writes.ts';
import { getTodo } from './todos.ts';

describe.each(testDrivers)('schema on %s', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(() => database?.dispose());

  const insertTodo = (userId: string, title: string, description: string | null = null) =>
    database.db.insertInto('todos').values({ created_by: userId, title, description }).execute();

  test('deleting a user deletes its todos and sessions, and no one else’s', async () => {
    const leaving = await createTestUser(database.db, 'leaving');
    const staying = await createTestUser(database.db, 'staying');
    await insertTodo(leaving, 'one');
    await insertTodo(leaving, 'two');
    await insertTodo(staying, 'mine');
    await database.db
      .insertInto('sessions')
      .values({
        user_id: leaving,
        token: `token-${leaving}`,
        expires_at: new Date(Date.now() + 60_000),
        updated_at: new Date(),
      })
      .execute();

    await database.db.deleteFrom('users').where('id', '=', leaving).execute();
    // Their todos were in their Inbox, which goes with them.
    const left = await queryRows<{ title: string }>(
      database.db,
      `select title from todos where title in ('one', 'two', 'mine') union all select token from sessions where user_id = '${leaving}'`,
    );
    expect(left).toEqual([{ title: 'mine' }]);
  });

  test('updated_at moves on every update, created_at never does', async () => {
    const userId = await createTestUser(database.db, 'clock');
    // Each statement is its own transaction, so now() differs between them.
    const created = await createTodo(database.db, userId, { title: 'tick' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const first = await updateTodo(database.db, userId, created.id, { completed: true });
    expect(first?.createdAt).toBe(created.createdAt);
    expect(Date.parse(first?.updatedAt ?? '')).toBeGreaterThan(Date.parse(created.updatedAt));

    // Even an explicit value is overruled: the database keeps updated_at, not the caller.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await database.db
      .updateTable('todos')
      .set({ title: 'tock', updated_at: new Date('2000-01-01T00:00:00Z') })
      .where('id', '=', created.id)
      .execute();
    const second = await getTodo(database.db, userId, created.id);
    expect(Date.parse(second?.updatedAt ?? '')).toBeGreaterThan(Date.parse(first?.updatedAt ?? ''));
    expect(second?.createdAt).toBe(created.createdAt);
  });

  test('the database itself refuses an empty, blank or over-long title and an over-long description', async () => {
    const userId = await createTestUser(database.db, 'checks');
    // Whitespace is what JavaScript's trim() strips, as the API trims: tabs, newlines, NBSP, U+3000.
    for (const title of [
      '',
      ' ',
      ' \t\n\r ',
      '\u00a0\u3000\ufeff\u2028',
      'x'.repeat(501),
      `\t${'x'.repeat(501)}\u00a0`,
    ]) {
      await expect(insertTodo(userId, title), JSON.stringify(title.slice(0, 10))).rejects.toThrow(
        /violates check constraint "todos_title_length"/,
      );
    }
    await expect(insertTodo(userId, 'ok', 'd'.repeat(10_001))).rejects.toThrow(
      /violates check constraint "todos_description_length"/,
    );

    // The limits themselves are allowed; 500 characters are counted after trimming.
    await insertTodo(userId, 'x'.repeat(500), 'd'.repeat(10_000));
    await insertTodo(userId, `\u00a0\t ${'y'.repeat(500)}\n\u3000`);
    await insertTodo(userId, 'z', '');
    const [row] = await queryRows<{ n: number }>(
      database.db,
      `select count(*)::int as n from todos where created_by = '${userId}'`,
    );
    expect(row?.n).toBe(3);
    // An update to a blank title is refused as well.
    await expect(
      database.db.updateTable('todos').set({ title: '   ' }).where('created_by', '=', userId).execute(),
    ).rejects.toThrow(/todos_title_length/);
  });

  test("a title is blank for the database exactly when JavaScript's trim() empties it", async () => {
    const userId = await createTestUser(database.db, 'blank');
    const jsWhitespace: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const char = String.fromCharCode(code);
      if (char.trim() === '' && (code < 0xd800 || code > 0xdfff)) jsWhitespace.push(char);
    }
    expect(jsWhitespace.length).toBeGreaterThan(20);
    for (const char of jsWhitespace) {
      await expect(
        insertTodo(userId, `${char}${char}`),
        `U+${char.charCodeAt(0).toString(16)}`,
      ).rejects.toThrow(/todos_title_length/);
    }
    // Characters JavaScript keeps are content: zero-width space, NEL.
    await insertTodo(userId, '\u200b');
    await insertTodo(userId, '\u0085');
  });

  test("a todo needs an existing list: without one, its author's Inbox, and without an author, none", async () => {
    const nobody = '00000000-0000-4000-8000-000000000000';
    await expect(
      database.db.insertInto('todos').values({ list_id: nobody, title: 'orphan' }).execute(),
    ).rejects.toThrow(/violates foreign key constraint/);
    await expect(insertTodo(nobody, 'orphan')).rejects.toThrow(/violates not-null constraint/);
  });

  test('emails are unique regardless of case', async () => {
    await createTestUser(database.db, 'a', { email: 'Case@Example.com' });
    await expect(createTestUser(database.db, 'b', { email: 'case@example.COM' })).rejects.toThrow(
      /users_email_lower_key/,
    );
  });

  test('the committed Kysely types match this database', async () => {
    const committed = await readFile(SCHEMA_FILE, 'utf8');
    expect(await generateSchemaSource(database.db)).toBe(committed);
    expect(committed).toMatch(/export interface Todos \{/);
  });
});
