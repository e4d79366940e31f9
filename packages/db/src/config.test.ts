import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  databaseConfigFromEnv,
  databaseEnvSchema,
  resolvePgliteDir,
  WORKSPACE_ROOT,
  withoutEmptyValues,
} from './config.ts';

const configFrom = (env: Record<string, string>, options?: { direct?: boolean }) =>
  databaseConfigFromEnv(databaseEnvSchema.parse(env), options);

const fieldErrors = (env: Record<string, string>) => {
  const result = databaseEnvSchema.safeParse(env);
  if (result.success) throw new Error('expected the environment to be refused');
  return z.flattenError(result.error).fieldErrors;
};

describe('databaseConfigFromEnv', () => {
  test('without DATABASE_URL it is the embedded PGlite in .data/pglite at the repository root', () => {
    expect(configFrom({})).toEqual({ driver: 'pglite', dataDir: join(WORKSPACE_ROOT, '.data/pglite') });
  });

  test('PGLITE_DIR picks the directory; "memory" keeps it in memory', () => {
    expect(configFrom({ PGLITE_DIR: '/tmp/todo-db' })).toEqual({ driver: 'pglite', dataDir: '/tmp/todo-db' });
    expect(configFrom({ PGLITE_DIR: 'memory' })).toEqual({ driver: 'pglite', dataDir: null });
  });

  test('a postgres URL selects node-postgres with the default pool settings', () => {
    expect(configFrom({ DATABASE_URL: 'postgres://app@db.internal:5432/todo' })).toEqual({
      driver: 'pg',
      url: 'postgres://app@db.internal:5432/todo',
      poolMax: 10,
      connectTimeoutMs: 5_000,
      idleTimeoutMs: 30_000,
      statementTimeoutMs: 10_000,
    });
    expect(configFrom({ DATABASE_URL: 'postgresql://localhost/todo' }).driver).toBe('pg');
  });

  test('a *.neon.tech host selects the Neon driver; a look-alike host does not', () => {
    const neon = 'postgres://u:p@ep-cool-name-123456-pooler.eu-central-1.aws.neon.tech/todo?sslmode=require';
    expect(configFrom({ DATABASE_URL: neon }).driver).toBe('neon');
    expect(configFrom({ DATABASE_URL: 'postgres://u@evilneon.tech/todo' }).driver).toBe('pg');
    expect(configFrom({ DATABASE_URL: 'postgres://u@neon.tech.example.com/todo' }).driver).toBe('pg');
  });

  test('DATABASE_DRIVER overrides the choice', () => {
    expect(configFrom({ DATABASE_URL: 'postgres://localhost/todo', DATABASE_DRIVER: 'neon' }).driver).toBe(
      'neon',
    );
    expect(configFrom({ DATABASE_URL: 'postgres://x.neon.tech/todo', DATABASE_DRIVER: 'pg' }).driver).toBe(
      'pg',
    );
    expect(
      configFrom({
        DATABASE_URL: 'postgres://localhost/todo',
        DATABASE_DRIVER: 'pglite',
        PGLITE_DIR: 'memory',
      }),
    ).toEqual({ driver: 'pglite', dataDir: null });
  });

  test('a server driver without a URL is refused with a message that says what is missing', () => {
    expect(() => configFrom({ DATABASE_DRIVER: 'pg' })).toThrow('DATABASE_DRIVER=pg needs DATABASE_URL');
    expect(() => configFrom({ DATABASE_DRIVER: 'neon' })).toThrow('DATABASE_DRIVER=neon needs DATABASE_URL');
  });

  test('migrations use DATABASE_URL_DIRECT when set, the application never does', () => {
    const env = {
      DATABASE_URL: 'postgres://u@ep-x-pooler.us-east-2.aws.neon.tech/todo',
      DATABASE_URL_DIRECT: 'postgres://u@ep-x.us-east-2.aws.neon.tech/todo',
    };
    expect(configFrom(env, { direct: true })).toMatchObject({ driver: 'neon', url: env.DATABASE_URL_DIRECT });
    expect(configFrom(env)).toMatchObject({ driver: 'neon', url: env.DATABASE_URL });
    expect(configFrom({ DATABASE_URL: env.DATABASE_URL }, { direct: true })).toMatchObject({
      url: env.DATABASE_URL,
    });
  });

  test('pool settings come from the environment as numbers', () => {
    const config = configFrom({
      DATABASE_URL: 'postgres://localhost/todo',
      DB_POOL_MAX: '25',
      DB_CONNECT_TIMEOUT_MS: '2000',
      DB_IDLE_TIMEOUT_MS: '0',
      DB_STATEMENT_TIMEOUT_MS: '0',
    });
    expect(config).toMatchObject({
      poolMax: 25,
      connectTimeoutMs: 2_000,
      idleTimeoutMs: 0,
      statementTimeoutMs: 0,
    });
  });

  test('each bad value gets one message naming what is wrong', () => {
    const errors = fieldErrors({
      DATABASE_URL: 'mysql://localhost/todo',
      DATABASE_URL_DIRECT: 'localhost:5432',
      DATABASE_DRIVER: 'sqlite',
      DB_POOL_MAX: '0',
      DB_CONNECT_TIMEOUT_MS: 'soon',
      DB_IDLE_TIMEOUT_MS: '1.5',
    });
    expect(Object.keys(errors).sort()).toEqual([
      'DATABASE_DRIVER',
      'DATABASE_URL',
      'DATABASE_URL_DIRECT',
      'DB_CONNECT_TIMEOUT_MS',
      'DB_IDLE_TIMEOUT_MS',
      'DB_POOL_MAX',
    ]);
    for (const messages of Object.values(errors)) expect(messages).toHaveLength(1);
    expect(errors.DATABASE_URL).toEqual(['must be a postgres:// or postgresql:// URL']);
    expect(errors.DATABASE_URL_DIRECT).toEqual(['must be a postgres:// or postgresql:// URL']);
    expect(errors.DATABASE_DRIVER?.[0]).toMatch(/"pglite"\|"pg"\|"neon"/);
    expect(errors.DB_POOL_MAX?.[0]).toMatch(/>=1/);
    expect(errors.DB_CONNECT_TIMEOUT_MS?.[0]).toMatch(/expected number/);
    expect(errors.DB_IDLE_TIMEOUT_MS?.[0]).toMatch(/expected int/);
  });
});

describe('resolvePgliteDir', () => {
  const startDir = process.cwd();
  afterEach(() => process.chdir(startDir));

  test('WORKSPACE_ROOT is the repository root', () => {
    expect(existsSync(join(WORKSPACE_ROOT, 'pnpm-workspace.yaml'))).toBe(true);
  });

  test('a relative directory is taken from the repository root, whatever the current directory', () => {
    const expected = join(WORKSPACE_ROOT, '.data/pglite');
    for (const cwd of [
      WORKSPACE_ROOT,
      join(WORKSPACE_ROOT, 'packages/db'),
      join(WORKSPACE_ROOT, 'apps/server'),
    ]) {
      process.chdir(cwd);
      expect(resolvePgliteDir('.data/pglite')).toBe(expected);
      expect(configFrom({ PGLITE_DIR: '.data/pglite' })).toEqual({ driver: 'pglite', dataDir: expected });
    }
  });

  test('absolute directories and "memory" are kept as they are', () => {
    expect(resolvePgliteDir('/srv/todo/pglite')).toBe('/srv/todo/pglite');
    expect(resolvePgliteDir('memory')).toBe('memory');
  });
});

describe('withoutEmptyValues', () => {
  test('treats DATABASE_URL= as unset, so the embedded database is used', () => {
    const env = databaseEnvSchema.parse(withoutEmptyValues({ DATABASE_URL: '', DATABASE_DRIVER: '' }));
    expect(databaseConfigFromEnv(env).driver).toBe('pglite');
  });
});
