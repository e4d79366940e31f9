// What Better Auth serves over HTTP here, read from its own endpoint table: the router's answers,
// and a guard on password checks. A Better Auth upgrade that serves another endpoint taking the
// caller's password fails here until that endpoint is limited (auth-hooks.ts) or disabled.
import { createTestDatabase, defaultTestDriver, type TestDatabase } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Auth, createAuth } from './auth.ts';
import { PASSWORD_CHECKS } from './auth-hooks.ts';
import { authRoutes, servedEndpoints } from './auth-routes.ts';

/** Every key a zod body schema names, through objects, intersections, unions and optionals. */
function keysOf(schema: unknown): string[] {
  const def = (schema as { def?: Record<string, unknown> } | undefined)?.def;
  if (!def) return [];
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  if (shape) return Object.keys(shape);
  return [def.innerType, def.left, def.right, ...((def.options as unknown[] | undefined) ?? [])].flatMap(
    keysOf,
  );
}

describe('the endpoints Better Auth serves', () => {
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

  it('the router answers served paths, names the methods of a known one, and knows no other', () => {
    const match = authRoutes(auth);
    expect(match('/api/auth/get-session', 'GET')).toBe('served');
    expect(match('/api/auth/sign-in/email', 'POST')).toBe('served');
    expect(match('/api/auth/sign-in/email', 'GET')).toEqual({ allow: ['POST'] });
    for (const unknown of [
      '/api/auth',
      '/api/auth/',
      '/api/auth/get-session/',
      '/api/auth/nothing',
      '/api/auth/verify-password',
      '/api/auth/reset-password/some-token',
      '/api/auth/callback/google',
    ]) {
      expect(match(unknown, 'GET'), unknown).toBe('unknown');
      expect(match(unknown, 'POST'), unknown).toBe('unknown');
    }
  });

  it('serves no route with a path parameter', () => {
    expect(servedEndpoints(auth).filter((endpoint) => /[:*]/.test(endpoint.path))).toEqual([]);
  });

  it("every endpoint that takes the caller's password is limited like sign-in; sign-up only sets one", () => {
    const taking = servedEndpoints(auth)
      .filter((endpoint) =>
        keysOf(endpoint.body).some((key) => key === 'password' || key === 'currentPassword'),
      )
      .map((endpoint) => endpoint.path)
      .sort();
    expect(taking).toEqual([...Object.keys(PASSWORD_CHECKS), '/sign-up/email'].sort());
  });
});
