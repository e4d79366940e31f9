import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The nearest folder from `dir` upwards that holds pnpm-workspace.yaml, if any. */
function workspaceRootAbove(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'pnpm-workspace.yaml'))) return `${current}/`;
    if (dirname(current) === current) return undefined;
  }
}

/**
 * The repository root: relative paths in the environment (PGLITE_DIR, MAIL_DIR) are taken from
 * here. Found by looking upwards rather than a fixed `../../../`, so that it holds both for this
 * source file and for the server's bundle (apps/server/dist), which compiles this module in. A
 * deployed server (`pnpm deploy`) has no repository around it: there it is the current directory.
 */
export const WORKSPACE_ROOT =
  workspaceRootAbove(dirname(fileURLToPath(import.meta.url))) ?? `${process.cwd()}/`;

/**
 * The embedded database's directory as an absolute path, the same whatever the current directory
 * (`pnpm db:migrate` runs in packages/db, the server in apps/server); `memory` stays as it is.
 *
 * @example resolvePgliteDir('.data/pglite') // '<repository root>/.data/pglite'
 */
export function resolvePgliteDir(dir: string, root: string = WORKSPACE_ROOT): string {
  return dir === 'memory' || isAbsolute(dir) ? dir : resolve(root, dir);
}

const intFromEnv = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** The database part of the environment; apps merge it into their own env schema. */
export const databaseEnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_URL_DIRECT: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_DRIVER: z.enum(['pglite', 'pg', 'neon']).optional(),
  PGLITE_DIR: z.string().min(1).default('.data/pglite'),
  DB_POOL_MAX: intFromEnv(10, 1, 1000),
  DB_CONNECT_TIMEOUT_MS: intFromEnv(5_000, 100, 600_000),
  DB_IDLE_TIMEOUT_MS: intFromEnv(30_000, 0, 3_600_000),
  DB_STATEMENT_TIMEOUT_MS: intFromEnv(10_000, 0, 3_600_000),
});

export type DatabaseEnv = z.infer<typeof databaseEnvSchema>;

/** `FOO=` in a shell or an .env file means "not set": drop empty values before validating. */
export function withoutEmptyValues(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
}

export type DatabaseConfig =
  | { driver: 'pglite'; dataDir: string | null }
  | {
      driver: 'pg' | 'neon';
      url: string;
      /** A direct, non-pooled URL for what a pooler cannot do (LISTEN), when it differs from `url`. */
      directUrl?: string;
      poolMax: number;
      connectTimeoutMs: number;
      idleTimeoutMs: number;
      statementTimeoutMs: number;
    };

const isNeonHost = (url: string) => {
  try {
    return new URL(url).hostname.endsWith('.neon.tech');
  } catch {
    return false;
  }
};

/**
 * Picks the driver: `DATABASE_DRIVER` when set, otherwise embedded PGlite without a URL,
 * Neon's serverless driver for `*.neon.tech` hosts and node-postgres for any other URL. A relative
 * `PGLITE_DIR` is taken from the repository root, so every command opens the same database.
 *
 * @example databaseConfigFromEnv(databaseEnvSchema.parse(process.env), { direct: true })
 */
export function databaseConfigFromEnv(env: DatabaseEnv, options: { direct?: boolean } = {}): DatabaseConfig {
  const url = (options.direct ? env.DATABASE_URL_DIRECT : undefined) ?? env.DATABASE_URL;
  const driver = env.DATABASE_DRIVER ?? (url ? (isNeonHost(url) ? 'neon' : 'pg') : 'pglite');
  if (driver === 'pglite') {
    return { driver, dataDir: env.PGLITE_DIR === 'memory' ? null : resolvePgliteDir(env.PGLITE_DIR) };
  }
  if (!url) {
    throw new Error(`DATABASE_DRIVER=${driver} needs DATABASE_URL`);
  }
  const direct = env.DATABASE_URL_DIRECT;
  return {
    driver,
    url,
    ...(direct && direct !== url && { directUrl: direct }),
    poolMax: env.DB_POOL_MAX,
    connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
    idleTimeoutMs: env.DB_IDLE_TIMEOUT_MS,
    statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
  };
}
