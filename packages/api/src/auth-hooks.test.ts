// The name rule where no request hook looks: a user row written by Better Auth's internal
// adapter, as an OAuth provider's profile or a plugin would write it, goes through its
// databaseHooks, and is held to the same rule.
import { createTestDatabase, defaultTestDriver, type TestDatabase } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Auth, createAuth } from './auth.ts';

describe('names written without a request', () => {
  let database: TestDatabase;
  let auth: Auth;
  beforeAll(async () => {
    database = await createTestDatabase(defaultTestDriver);
    auth = createAuth({
      db: database.db,
      secret: 'a-test-secret-that-is-long-enough-0123456789',
      baseURL: 'http://localhost:3000',
      trustedOrigins: [],
    });
  });
  afterAll(() => database?.dispose());

  it('are refused on create and on update; a good one passes', async () => {
    const { internalAdapter } = await auth.$context;
    const source = { method: 'oauth', oauth: { providerId: 'example' } } as const;
    await expect(
      internalAdapter.createUser({ name: 'Ada\nSECURITY ALERT', email: 'a@example.com' }, source),
    ).rejects.toMatchObject({ body: { code: 'INVALID_NAME' } });
    const user = await internalAdapter.createUser({ name: 'Ada', email: 'ada@example.com' }, source);
    expect(user.name).toBe('Ada');
    await expect(internalAdapter.updateUser(user.id, { name: 'x'.repeat(101) })).rejects.toMatchObject({
      body: { code: 'INVALID_NAME', message: 'Name must be at most 100 characters.' },
    });
    expect((await internalAdapter.updateUser(user.id, { emailVerified: true }))?.emailVerified).toBe(true);
  });
});
