import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, developmentSecret, loadConfig } from './config.ts';

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
    expect(config.host).toBe('127.0.0.1');
    expect(config.migrateOnStart).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', BETTER_AUTH_SECRET: SECRET, HOST: '0.0.0.0' }).host).toBe(
      '0.0.0.0',
    );
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

const NOT_BASE64URL = 'holds something other than one line of base64url (A-Z, a-z, 0-9, - and _)';

describe('developmentSecret', () => {
  const dirs: string[] = [];
  /** A fresh directory that does not exist yet, under a temporary parent. */
  const freshDir = () => {
    const parent = mkdtempSync(join(tmpdir(), 'todo-secret-'));
    dirs.push(parent);
    return join(parent, '.data');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('generates a 0600 file of base64url once, creating the directory, and returns the same secret after', () => {
    const dir = freshDir();
    const secret = developmentSecret(dir);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = join(dir, 'auth-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(`${secret}\n`);
    expect(developmentSecret(dir)).toBe(secret);
    expect(readdirSync(dir)).toEqual(['auth-secret']);
  });

  it('reads a file written before (no trailing newline)', () => {
    const dir = freshDir();
    mkdirSync(dir);
    const secret = 'x'.repeat(20) + 'Y-_'.repeat(5);
    writeFileSync(join(dir, 'auth-secret'), secret, { mode: 0o600 });
    expect(developmentSecret(dir)).toBe(secret);
  });

  it.each([
    ['empty', '', 'is empty'],
    ['blank', ' \n', 'is empty'],
    ['short', 'abc123\n', 'is shorter than 32 characters'],
    ['garbage', 'not a secret, just some words typed here\n', NOT_BASE64URL],
    ['two lines', `${'a'.repeat(40)}\n${'b'.repeat(40)}\n`, NOT_BASE64URL],
    ['padded', `  ${'a'.repeat(40)}  \n`, NOT_BASE64URL],
  ])('refuses a %s file with a ConfigError naming it, and leaves it as it was', (_name, content, problem) => {
    const dir = freshDir();
    mkdirSync(dir);
    const file = join(dir, 'auth-secret');
    writeFileSync(file, content, { mode: 0o600 });
    let refusal: unknown;
    try {
      developmentSecret(dir);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as ConfigError).problems).toEqual([
      `BETTER_AUTH_SECRET: not set, and the generated secret in ${file} ${problem}; ` +
        'delete that file to have a new one generated (this signs everyone out), or set BETTER_AUTH_SECRET',
    ]);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('processes starting at once all end up with one secret', async () => {
    const dir = freshDir();
    const go = join(dir, '..', 'go');
    // Each child loads the module, says it is ready, then waits for the go file so that all
    // of them race for the secret at the same moment.
    const child = `
      import { existsSync } from 'node:fs';
      const { developmentSecret } = await import(${JSON.stringify(new URL('./config.ts', import.meta.url).href)});
      process.stdout.write('ready\\n');
      while (!existsSync(${JSON.stringify(go)})) await new Promise((done) => setTimeout(done, 2));
      process.stdout.write(developmentSecret(${JSON.stringify(dir)}) + '\\n');
    `;
    const children = Array.from({ length: 6 }, () => {
      const process_ = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      process_.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      process_.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      const ready = new Promise<void>((done, fail) => {
        process_.stdout.on('data', () => stdout.includes('ready\n') && done());
        process_.on('exit', () => fail(new Error(`child exited before it was ready: ${stderr}`)));
      });
      const exited = new Promise<string>((done, fail) => {
        process_.on('exit', (code) =>
          code === 0
            ? done(stdout.replace('ready\n', '').trim())
            : fail(new Error(`child failed: ${stderr}`)),
        );
      });
      return { ready, exited };
    });
    await Promise.all(children.map((each) => each.ready));
    writeFileSync(go, '');
    const secrets = await Promise.all(children.map((each) => each.exited));

    const [first] = secrets;
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(secrets)).toEqual(new Set([first]));
    expect(readFileSync(join(dir, 'auth-secret'), 'utf8')).toBe(`${first}\n`);
    expect(statSync(join(dir, 'auth-secret')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['auth-secret']);
  }, 60_000);
});

describe('operations settings', () => {
  it('defaults to one worker, info logs, no trusted proxy and no /metrics', () => {
    expect(loadConfig({ BETTER_AUTH_SECRET: SECRET })).toMatchObject({
      trustedProxies: [],
      workers: 1,
      logLevel: 'info',
      metricsToken: undefined,
    });
  });

  it('MAX_CONNECTIONS_PER_IP: 256 unless set; anything but a whole number from 1 is refused in one line', () => {
    expect(loadConfig({ BETTER_AUTH_SECRET: SECRET }).maxConnectionsPerIp).toBe(256);
    expect(loadConfig({ BETTER_AUTH_SECRET: SECRET, MAX_CONNECTIONS_PER_IP: '32' }).maxConnectionsPerIp).toBe(
      32,
    );
    for (const value of ['0', '-1', '2.5', 'many', '1000001']) {
      expect(problems({ BETTER_AUTH_SECRET: SECRET, MAX_CONNECTIONS_PER_IP: value }), value).toEqual([
        'MAX_CONNECTIONS_PER_IP: must be a whole number of connections from 1 to 1000000',
      ]);
    }
  });

  it('reads TRUSTED_PROXIES, WEB_CONCURRENCY, LOG_LEVEL and METRICS_TOKEN', () => {
    const config = loadConfig({
      BETTER_AUTH_SECRET: SECRET,
      DATABASE_URL: 'postgres://u@db/app',
      TRUSTED_PROXIES: 'loopback, 10.0.0.0/8,2001:db8::1 ,',
      WEB_CONCURRENCY: '4',
      LOG_LEVEL: 'debug',
      METRICS_TOKEN: 'a-metrics-token-for-prometheus',
    });
    expect(config).toMatchObject({
      trustedProxies: ['loopback', '10.0.0.0/8', '2001:db8::1'],
      workers: 4,
      logLevel: 'debug',
      metricsToken: 'a-metrics-token-for-prometheus',
    });
  });

  it('logs JSON lines except in development or to a terminal, unless LOG_FORMAT says otherwise', () => {
    const piped = { terminal: false };
    expect(loadConfig({ BETTER_AUTH_SECRET: SECRET }, piped).logFormat).toBe('pretty');
    expect(loadConfig({ BETTER_AUTH_SECRET: SECRET, NODE_ENV: 'test' }, piped).logFormat).toBe('json');
    expect(loadConfig({ BETTER_AUTH_SECRET: SECRET, NODE_ENV: 'production' }, piped).logFormat).toBe('json');
    expect(loadConfig({ BETTER_AUTH_SECRET: SECRET, LOG_FORMAT: 'json' }, piped).logFormat).toBe('json');
    // `pnpm start` in a person's terminal: readable lines, in production too.
    const terminal = { terminal: true };
    expect(loadConfig({ BETTER_AUTH_SECRET: SECRET, NODE_ENV: 'production' }, terminal).logFormat).toBe(
      'pretty',
    );
    expect(
      loadConfig({ BETTER_AUTH_SECRET: SECRET, NODE_ENV: 'production', LOG_FORMAT: 'json' }, terminal)
        .logFormat,
    ).toBe('json');
    expect(problems({ BETTER_AUTH_SECRET: SECRET, LOG_FORMAT: 'xml' })).toEqual([
      expect.stringMatching(/^LOG_FORMAT: /),
    ]);
  });

  it('refuses more than one worker on the embedded PGlite, which lives in one process', () => {
    expect(problems({ BETTER_AUTH_SECRET: SECRET, WEB_CONCURRENCY: '2' })).toEqual([
      'WEB_CONCURRENCY: more than 1 worker needs a PostgreSQL server (DATABASE_URL); the embedded PGlite lives in one process',
    ]);
    expect(loadConfig({ BETTER_AUTH_SECRET: SECRET, WEB_CONCURRENCY: '1' }).workers).toBe(1);
  });

  it('names each bad operations value', () => {
    expect(
      problems({
        BETTER_AUTH_SECRET: SECRET,
        TRUSTED_PROXIES: 'loopback,10.0.0.0/33,proxy.example.com',
        WEB_CONCURRENCY: '0',
        LOG_LEVEL: 'verbose',
        METRICS_TOKEN: 'short',
      }),
    ).toEqual([
      'TRUSTED_PROXIES.1: must be an IP address, a CIDR, loopback, linklocal or uniquelocal',
      'TRUSTED_PROXIES.2: must be an IP address, a CIDR, loopback, linklocal or uniquelocal',
      'WEB_CONCURRENCY: must be a whole number of worker processes from 1 to 64',
      expect.stringMatching(/^LOG_LEVEL: /),
      'METRICS_TOKEN: must be at least 16 characters',
    ]);
  });
});
