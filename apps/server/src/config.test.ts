import { isAbsolute } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';

/** The problems loadConfig reports for `env`, one line each; fails if it accepts `env`. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    // The message is what the process prints: a heading, then exactly one line per problem.
    expect(message.split('\n')).toEqual(['invalid configuration:', ...problems.map((line) => `  ${line}`)]);
    return problems;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  it('defaults to the embedded database on localhost:3000 in development', () => {
    const config = loadConfig({ BETTER_AUTH_SECRET: SECRET });
    expect(config).toMatchObject({
      production: false,
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      authSecret: SECRET,
      migrateOnStart: true,
      logRequests: true,
      database: { driver: 'pglite' },
    });
    const dataDir = config.database.driver === 'pglite' ? config.database.dataDir : null;
    expect(dataDir && isAbsolute(dataDir) && dataDir.endsWith('.data/pglite')).toBe(true);
    expect(config.trustedOrigins).toEqual(
      expect.arrayContaining(['http://localhost:3000', 'http://127.0.0.1:3000', 'http://localhost:5173']),
    );
  });

  it('picks node-postgres for a postgres URL and Neon for a *.neon.tech host', () => {
    const pg = loadConfig({ BETTER_AUTH_SECRET: SECRET, DATABASE_URL: 'postgres://u@db.internal:5432/app' });
    expect(pg.database).toMatchObject({ driver: 'pg', url: 'postgres://u@db.internal:5432/app' });
    const neon = loadConfig({
      BETTER_AUTH_SECRET: SECRET,
      DATABASE_URL: 'postgresql://u:p@ep-cool-1234-pooler.eu-central-1.aws.neon.tech/app',
    });
    expect(neon.database.driver).toBe('neon');
  });

  it('in production trusts only its PUBLIC_URL and TRUSTED_ORIGINS, and listens on all interfaces', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      BETTER_AUTH_SECRET: SECRET,
      DATABASE_URL: 'postgres://u@db/app',
      PUBLIC_URL: 'https://todo.example.com/ignored/path',
      TRUSTED_ORIGINS: 'https://admin.example.com, https://other.example.com',
    });
    expect(config.publicUrl).toBe('https://todo.example.com');
    expect(config.trustedOrigins.sort()).toEqual([
      'https://admin.example.com',
      'https://other.example.com',
      'https://todo.example.com',
    ]);
    expect(config.host).toBe('0.0.0.0');
    expect(config.migrateOnStart).toBe(false);
  });

  it('refuses a bad PORT with a clear message', () => {
    for (const port of ['abc', '70000', '-1', '80.5']) {
      expect(problems({ BETTER_AUTH_SECRET: SECRET, PORT: port }), port).toEqual([
        'PORT: must be a port number from 0 to 65535',
      ]);
    }
  });

  it('refuses a DATABASE_URL that is not postgres, and a driver without a URL', () => {
    expect(problems({ BETTER_AUTH_SECRET: SECRET, DATABASE_URL: 'mysql://u@db/app' })).toEqual([
      'DATABASE_URL: must be a postgres:// or postgresql:// URL',
    ]);
    expect(problems({ BETTER_AUTH_SECRET: SECRET, DATABASE_DRIVER: 'pg' })).toEqual([
      'DATABASE_URL: DATABASE_DRIVER=pg needs DATABASE_URL',
    ]);
  });

  it('requires BETTER_AUTH_SECRET in production on a server database, and a long one anywhere', () => {
    expect(problems({ NODE_ENV: 'production', DATABASE_URL: 'postgres://u@db/app' })).toEqual([
      'BETTER_AUTH_SECRET: required in production (at least 32 random characters)',
    ]);
    expect(problems({ BETTER_AUTH_SECRET: 'short' })).toEqual([
      'BETTER_AUTH_SECRET: must be at least 32 characters',
    ]);
  });

  it('reports every problem at once, one line each', () => {
    const found = problems({
      NODE_ENV: 'production',
      PORT: 'eighty',
      DATABASE_URL: 'mysql://u@db/app',
      PUBLIC_URL: 'ftp://files.example.com',
      DB_POOL_MAX: '0',
    });
    expect(found).toHaveLength(5);
    for (const name of ['PORT', 'DATABASE_URL', 'PUBLIC_URL', 'DB_POOL_MAX', 'BETTER_AUTH_SECRET']) {
      expect(
        found.filter((line) => line.startsWith(`${name}: `)),
        name,
      ).toHaveLength(1);
    }
  });
});
