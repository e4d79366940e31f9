import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type DatabaseConfig,
  databaseConfigFromEnv,
  databaseEnvSchema,
  WORKSPACE_ROOT,
  withoutEmptyValues,
} from '@todo/db';
import { z } from 'zod';
import { isProxySpec } from './client-address.ts';

const origin = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((url) => new URL(url).origin);

/** A comma-separated list, items trimmed, empty items (and an unset variable) dropped. */
const commaList = z
  .string()
  .default('')
  .transform((list) =>
    list
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

const envSchema = databaseEnvSchema.extend({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce
    .number({ error: 'must be a port number from 0 to 65535' })
    .int('must be a port number from 0 to 65535')
    .min(0, 'must be a port number from 0 to 65535')
    .max(65_535, 'must be a port number from 0 to 65535')
    .default(3000),
  HOST: z.string().min(1).optional(),
  PUBLIC_URL: origin.optional(),
  TRUSTED_ORIGINS: commaList.pipe(z.array(origin)),
  BETTER_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(10),
  /** How long a session lives without use; a week unless shortened (tests, stricter deployments). */
  SESSION_EXPIRES_IN_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(60 * 60 * 24 * 365)
    .default(60 * 60 * 24 * 7),
  MIGRATE_ON_START: z.enum(['true', 'false']).optional(),
  LOG_REQUESTS: z.enum(['true', 'false']).default('true'),
  WEB_DIST: z.string().optional(),
  // Node's own defaults (headers 60 s, whole request 5 min) let a slow client hold a socket for
  // minutes. These bound receiving a request only, never the response: long-lived event
  // streams (SSE GETs) are not cut off by them.
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Idle keep-alive sockets are closed after this; behind a load balancer, set it above the balancer's idle timeout. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /** On SIGTERM, how long /readyz answers 503 while still serving, before in-flight requests drain. */
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  /** How often an open event stream (todo.changes) checks its session; it closes within this of the session's end. */
  STREAM_SESSION_CHECK_MS: z.coerce.number().int().min(100).max(60_000).default(30_000),
  /** Open todo.changes streams per account; one more is refused with 429. */
  STREAM_MAX_PER_USER: z.coerce.number().int().min(1).max(1_000).default(20),
  /** A stream whose reader has not drained for this long is cut. */
  STREAM_WRITE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** Account mail (password reset, email verification) goes out through this SMTP server. */
  MAIL_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  MAIL_FROM: z.string().min(3).default('Todo <no-reply@localhost>'),
  /**
   * Without MAIL_URL, each message is written here as an .eml file and its link logged. Unset,
   * `.data/mail`, except in production on a PostgreSQL server: there account mail is off.
   */
  MAIL_DIR: z.string().min(1).optional(),
  REQUIRE_EMAIL_VERIFICATION: z.enum(['true', 'false']).default('false'),
  /**
   * Whose X-Forwarded-For (and X-Request-Id) to believe: a comma-separated list of addresses,
   * CIDRs and proxy-addr's names (`loopback`, `linklocal`, `uniquelocal`). None by default: the
   * client is the socket's peer.
   */
  TRUSTED_PROXIES: commaList.pipe(
    z.array(
      z.string().refine(isProxySpec, 'must be an IP address, a CIDR, loopback, linklocal or uniquelocal'),
    ),
  ),
  /**
   * Open connections one client address may hold (a trusted proxy's clients: open requests and
   * streams each); past it a connection or request is refused with 429 and Retry-After.
   */
  MAX_CONNECTIONS_PER_IP: z.coerce
    .number({ error: 'must be a whole number of connections from 1 to 1000000' })
    .int('must be a whole number of connections from 1 to 1000000')
    .min(1, 'must be a whole number of connections from 1 to 1000000')
    .max(1_000_000, 'must be a whole number of connections from 1 to 1000000')
    .default(256),
  /** Worker processes serving the port (node:cluster), each with its own database pool. */
  WEB_CONCURRENCY: z.coerce
    .number({ error: 'must be a whole number of worker processes from 1 to 64' })
    .int('must be a whole number of worker processes from 1 to 64')
    .min(1, 'must be a whole number of worker processes from 1 to 64')
    .max(64, 'must be a whole number of worker processes from 1 to 64')
    .default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `json` lines, or `pretty` (pino-pretty); pretty in development and when stdout is a terminal. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** Enables GET /metrics for `Authorization: Bearer <METRICS_TOKEN>`; unset, /metrics is 404. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

export type ServerConfig = {
  production: boolean;
  port: number;
  host: string;
  publicUrl: string;
  trustedOrigins: string[];
  authSecret: string;
  authRateLimitPerMinute: number;
  sessionExpiresInSeconds: number;
  database: DatabaseConfig;
  migrateOnStart: boolean;
  logRequests: boolean;
  /** The built web app; served with index.html as the fallback for client routes. */
  webDist: string;
  /** Bounds on receiving a request (see the env schema); they never bound a response. */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  shutdownDelayMs: number;
  /** Bounds on todo.changes streams (event-streams.ts). */
  streams: { sessionCheckMs: number; maxPerUser: number; writeTimeoutMs: number };
  /** Unset `url`: .eml files in `dir`; unset both: no account mail (see mailDir). */
  mail: { url?: string; from: string; dir?: string };
  requireEmailVerification: boolean;
  /** TRUSTED_PROXIES as given; client-address.ts compiles it. Empty: trust no proxy. */
  trustedProxies: string[];
  /** MAX_CONNECTIONS_PER_IP: per client address, in each process (connection-limit.ts). */
  maxConnectionsPerIp: number;
  /** WEB_CONCURRENCY: 1 serves in this process; more forks that many workers. */
  workers: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  logFormat: 'json' | 'pretty';
  /** Unset: no /metrics. */
  metricsToken?: string;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The app's origin under each loopback name, so `localhost` and `127.0.0.1` both work. */
function withLoopbackAliases(origins: string[]): string[] {
  const all = new Set(origins);
  for (const value of origins) {
    const url = new URL(value);
    if (!LOOPBACK.has(url.hostname)) continue;
    for (const host of LOOPBACK) all.add(`${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`);
  }
  return [...all];
}

/**
 * Without BETTER_AUTH_SECRET a secret is generated once and kept in `<dir>/auth-secret` (mode
 * 0600), so sessions survive restarts. Created atomically: written in full to a temporary file
 * beside it, then hard-linked into place, which fails if the file exists. Processes starting at
 * once therefore all end up with the winner's secret, and a crash never leaves a partial file.
 * A file that is not a valid secret is refused with a ConfigError, never used or replaced.
 *
 * @example
 * const secret = developmentSecret(); // .data/auth-secret under the repository root
 */
export function developmentSecret(dir = resolve(WORKSPACE_ROOT, '.data')): string {
  const file = join(dir, 'auth-secret');
  const existing = readSecretFile(file);
  if (existing !== undefined) return existing;

  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  const temporary = join(dir, `.auth-secret-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, `${secret}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temporary, file);
      return secret;
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    }
  } finally {
    rmSync(temporary, { force: true });
  }
  // Another process created it between our read and our link: use theirs.
  const theirs = readSecretFile(file);
  if (theirs === undefined)
    throw new ConfigError([`BETTER_AUTH_SECRET: ${file} vanished while being created`]);
  return theirs;
}

/** 32+ characters of base64url (43 from `randomBytes(32)`), and at most a trailing newline. */
const SECRET_FILE_CONTENT = /^[A-Za-z0-9_-]{32,}\n?$/;

/** The secret in `file`, undefined if there is no file, a ConfigError if it is not a valid one. */
function readSecretFile(file: string): string | undefined {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
  if (SECRET_FILE_CONTENT.test(content)) return content.trimEnd();
  const problem =
    content.trim() === ''
      ? 'is empty'
      : /^[A-Za-z0-9_-]*\n?$/.test(content)
        ? 'is shorter than 32 characters'
        : 'holds something other than one line of base64url (A-Z, a-z, 0-9, - and _)';
  throw new ConfigError([
    `BETTER_AUTH_SECRET: not set, and the generated secret in ${file} ${problem}; ` +
      'delete that file to have a new one generated (this signs everyone out), or set BETTER_AUTH_SECRET',
  ]);
}

const MISSING_SECRET = 'BETTER_AUTH_SECRET: required in production (at least 32 random characters)';

type EnvValues = z.infer<typeof envSchema>;

/** The environment through the schema; every value it refuses is one line of a ConfigError. */
function parseEnv(env: Record<string, string | undefined>): EnvValues {
  const parsed = envSchema.safeParse(withoutEmptyValues(env));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  // A missing production secret is reported with the other problems, not after they are fixed.
  const serverDatabase = env.DATABASE_DRIVER ? env.DATABASE_DRIVER !== 'pglite' : Boolean(env.DATABASE_URL);
  if (env.NODE_ENV === 'production' && !env.BETTER_AUTH_SECRET && serverDatabase) {
    problems.push(MISSING_SECRET);
  }
  throw new ConfigError(problems);
}

/** What no single value says wrong but the values together do, one line each. */
function problemsTogether(values: EnvValues, database: DatabaseConfig | undefined): string[] {
  const production = values.NODE_ENV === 'production';
  const problems: string[] = [];
  // The embedded database lives on this machine only, so a generated secret kept beside it
  // (in .data/) is as safe as the data; a shared server needs a secret from its operator.
  if (production && !values.BETTER_AUTH_SECRET && database?.driver !== 'pglite') {
    problems.push(MISSING_SECRET);
  }
  // Node refuses to start a server whose headers may take longer than the whole request.
  if (values.HTTP_HEADERS_TIMEOUT_MS > values.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS');
  }
  if (values.REQUIRE_EMAIL_VERIFICATION === 'true' && production && !values.MAIL_URL) {
    problems.push(
      'REQUIRE_EMAIL_VERIFICATION: needs MAIL_URL in production (nobody could confirm an address)',
    );
  }
  // PGlite is a database inside this one process: a second worker could not open its files.
  if (values.WEB_CONCURRENCY > 1 && database?.driver === 'pglite') {
    problems.push(
      'WEB_CONCURRENCY: more than 1 worker needs a PostgreSQL server (DATABASE_URL); the embedded PGlite lives in one process',
    );
  }
  return problems;
}

/**
 * Reads and validates the whole environment at once; every bad or missing value is reported,
 * one line each, in a ConfigError.
 *
 * @example
 * const config = loadConfig({ ...process.env, PORT: '0' });
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  /** Whether stdout is a terminal (a person reads it): the default LOG_FORMAT is then pretty. */
  { terminal = process.stdout.isTTY === true }: { terminal?: boolean } = {},
): ServerConfig {
  const values = parseEnv(env);
  const problems: string[] = [];
  let database: DatabaseConfig | undefined;
  try {
    database = databaseConfigFromEnv(values);
  } catch (error) {
    problems.push(`DATABASE_URL: ${error instanceof Error ? error.message : String(error)}`);
  }
  problems.push(...problemsTogether(values, database));
  if (problems.length > 0 || !database) throw new ConfigError(problems);
  return configOf(values, database, terminal);
}

/**
 * Where account mail is written when there is no MAIL_URL: MAIL_DIR, else `.data/mail` wherever
 * the person who reads it is the one who runs the server (development, the embedded database),
 * so that "Forgot password?" works after the quick start. A production PostgreSQL server gets
 * no default: its mail must reach its users, and a folder on the host would not.
 */
function mailDir(values: EnvValues, database: DatabaseConfig): string | undefined {
  if (values.MAIL_DIR) return resolve(WORKSPACE_ROOT, values.MAIL_DIR);
  if (values.NODE_ENV === 'production' && database.driver !== 'pglite') return undefined;
  return resolve(WORKSPACE_ROOT, '.data/mail');
}

/** The configuration of valid values, with the defaults that depend on other values. */
function configOf(values: EnvValues, database: DatabaseConfig, terminal: boolean): ServerConfig {
  const production = values.NODE_ENV === 'production';
  const port = values.PORT;
  const publicUrl = values.PUBLIC_URL ?? `http://localhost:${port}`;
  const devOrigins = production ? [] : ['http://localhost:5173'];
  return {
    production,
    port,
    // Loopback unless told otherwise, in production too: `pnpm start` on a laptop must not open
    // the app to its network. A container or a host behind a proxy sets HOST=0.0.0.0.
    host: values.HOST ?? '127.0.0.1',
    publicUrl,
    trustedOrigins: withLoopbackAliases([publicUrl, ...devOrigins, ...values.TRUSTED_ORIGINS]),
    authSecret: values.BETTER_AUTH_SECRET ?? developmentSecret(),
    authRateLimitPerMinute: values.AUTH_RATE_LIMIT_PER_MINUTE,
    sessionExpiresInSeconds: values.SESSION_EXPIRES_IN_SECONDS,
    database,
    migrateOnStart: values.MIGRATE_ON_START
      ? values.MIGRATE_ON_START === 'true'
      : database.driver === 'pglite' || !production,
    logRequests: values.LOG_REQUESTS === 'true',
    webDist: values.WEB_DIST ?? resolve(WORKSPACE_ROOT, 'apps/web/dist'),
    http: {
      headersTimeoutMs: values.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: values.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: values.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
    shutdownDelayMs: values.SHUTDOWN_DELAY_MS,
    streams: {
      sessionCheckMs: values.STREAM_SESSION_CHECK_MS,
      maxPerUser: values.STREAM_MAX_PER_USER,
      writeTimeoutMs: values.STREAM_WRITE_TIMEOUT_MS,
    },
    mail: { url: values.MAIL_URL, from: values.MAIL_FROM, dir: mailDir(values, database) },
    requireEmailVerification: values.REQUIRE_EMAIL_VERIFICATION === 'true',
    trustedProxies: values.TRUSTED_PROXIES,
    maxConnectionsPerIp: values.MAX_CONNECTIONS_PER_IP,
    workers: values.WEB_CONCURRENCY,
    logLevel: values.LOG_LEVEL,
    logFormat: values.LOG_FORMAT ?? (values.NODE_ENV === 'development' || terminal ? 'pretty' : 'json'),
    metricsToken: values.METRICS_TOKEN,
  };
}
