import type { DB } from '@todo/db';
import { createTestDatabase, createTestUser, type TestDatabase, testDrivers } from '@todo/db/testing';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter, createCaller, createInnerContext } from './index.ts';

type ErrorBody = {
  error: {
    message: string;
    code: number;
    data: {
      code: string;
      httpStatus: number;
      path: string;
      zodError: { formErrors: string[]; fieldErrors: Record<string, string[]> } | null;
    };
  };
};

/**
 * The error formatter as clients see it: requests through tRPC's own fetch adapter, with the
 * in-process context (no Better Auth, no server needed).
 */
describe.each(testDrivers)('errors on the wire on %s', (driver) => {
  let database: TestDatabase;
  let db: Kysely<DB>;
  let userId: string;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    db = database.db;
    userId = await createTestUser(db, 'Dan', { email: 'dan@example.com' });
  });
  afterAll(() => database?.dispose());

  async function call(
    path: string,
    options: { input?: unknown; mutation?: boolean; user?: string | null; production?: boolean } = {},
  ) {
    const url = new URL(`http://localhost/api/trpc/${path}`);
    if (!options.mutation && options.input !== undefined)
      url.searchParams.set('input', JSON.stringify(options.input));
    const req = new Request(url, {
      method: options.mutation ? 'POST' : 'GET',
      headers: { 'content-type': 'application/json' },
      body: options.mutation ? JSON.stringify(options.input) : undefined,
    });
    const response = await fetchRequestHandler({
      endpoint: '/api/trpc',
      req,
      router: appRouter,
      createContext: () =>
        createInnerContext({
          db,
          userId: options.user === undefined ? userId : options.user,
          exposeInternalErrors: !options.production,
        }),
    });
    return { status: response.status, text: await response.text() };
  }

  it('invalid input is 400 with per-field messages in error.data.zodError', async () => {
    const { status, text } = await call('todo.create', {
      mutation: true,
      input: { title: '   ', description: 'd'.repeat(10_001) },
    });
    expect(status).toBe(400);
    const body = JSON.parse(text) as ErrorBody;
    expect(body.error.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, path: 'todo.create' });
    expect(body.error.data.zodError?.fieldErrors).toEqual({
      title: ['must not be empty'],
      description: ['must be at most 10,000 characters'],
    });
    expect(body.error.message).toContain('title: must not be empty');
  });

  it('a bad cursor is a field error too', async () => {
    const { status, text } = await call('todo.list', { input: { cursor: 'bogus' } });
    expect(status).toBe(400);
    expect((JSON.parse(text) as ErrorBody).error.data.zodError?.fieldErrors).toHaveProperty('cursor');
  });

  it('no session is 401 and a missing todo is 404, with null zodError', async () => {
    const unauthorized = await call('todo.counts', { user: null });
    expect(unauthorized.status).toBe(401);
    expect((JSON.parse(unauthorized.text) as ErrorBody).error.data).toMatchObject({
      code: 'UNAUTHORIZED',
      zodError: null,
    });
    const missing = await call('todo.get', { input: { id: '00000000-0000-4000-8000-000000000000' } });
    expect(missing.status).toBe(404);
    expect((JSON.parse(missing.text) as ErrorBody).error).toMatchObject({
      message: 'Todo not found',
      data: { code: 'NOT_FOUND', httpStatus: 404 },
    });
  });

  it('success is plain JSON with ISO timestamps (no transformer)', async () => {
    const { status, text } = await call('todo.create', { mutation: true, input: { title: 'wire' } });
    expect(status).toBe(200);
    const body = JSON.parse(text) as { result: { data: Record<string, unknown> } };
    expect(body.result.data).toMatchObject({ title: 'wire', completed: false, description: null });
    expect(body.result.data.createdAt).toBe(new Date(body.result.data.createdAt as string).toISOString());
  });

  // Last: it breaks this file's database on purpose.
  it('an internal error is a generic 500 in production and detailed in development', async () => {
    await createCaller({ db, userId }).todo.create({ title: 'before the table goes' });
    await sql`drop table todos cascade`.execute(db);

    const production = await call('todo.list', { production: true });
    expect(production.status).toBe(500);
    const body = JSON.parse(production.text) as ErrorBody;
    expect(body.error.message).toBe('Internal server error');
    expect(body.error.data).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      httpStatus: 500,
      path: 'todo.list',
      zodError: null,
    });
    expect(production.text).not.toMatch(/todos|relation|select|stack|\.ts|at /i);

    const development = await call('todo.list', { production: false });
    expect(development.status).toBe(500);
    expect((JSON.parse(development.text) as ErrorBody).error.message).toMatch(/todos/);
  });
});
