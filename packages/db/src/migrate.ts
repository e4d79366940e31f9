import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ScriptRunner } from './database.ts';

/**
 * The repository's `migrations/` folder; in the server's bundle, the copy its build puts beside
 * the bundle (apps/server/dist/migrations), which is also what `pnpm deploy` ships.
 */
export const MIGRATIONS_DIR =
  [new URL('./migrations/', import.meta.url), new URL('../../../migrations/', import.meta.url)]
    .map((url) => fileURLToPath(url))
    .find((dir) => existsSync(dir)) ?? fileURLToPath(new URL('../../../migrations/', import.meta.url));

export type MigrationFile = { name: string; sql: string; checksum: string };
export type MigrationResult = { applied: string[]; alreadyApplied: string[] };

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const MIGRATION_NAME = /^\d{4}_[a-z0-9_]+\.sql$/;

/** Reads `NNNN_name.sql` files in name order; anything else in the folder is an error. */
export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (name) => {
      if (!MIGRATION_NAME.test(name)) {
        throw new MigrationError(`migration file ${name} must be named like 0001_description.sql`);
      }
      const sql = await readFile(`${dir}/${name}`, 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/**
 * Applies every migration not yet recorded in `schema_migrations`, each in its own
 * transaction, under a lock so that concurrent migrators apply each file once. A file whose
 * content changed after it was applied is refused: migrations are frozen once they ran.
 *
 * @example await migrate(database.scripts)
 */
export async function migrate(scripts: ScriptRunner, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const files = await readMigrations(dir);
  return scripts.withLock(async () => {
    await scripts.query(
      `create table if not exists schema_migrations (
         name text primary key,
         checksum text not null,
         applied_at timestamptz not null default now()
       )`,
    );
    const rows = await scripts.query<{ name: string; checksum: string }>(
      'select name, checksum from schema_migrations order by name',
    );
    const recorded = new Map(rows.map((row) => [row.name, row.checksum]));
    const known = new Set(files.map((file) => file.name));
    const missing = [...recorded.keys()].filter((name) => !known.has(name));
    if (missing.length > 0) {
      throw new MigrationError(`applied migration ${missing.join(', ')} is missing from ${dir}`);
    }

    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const file of files) {
      const checksum = recorded.get(file.name);
      if (checksum === file.checksum) {
        result.alreadyApplied.push(file.name);
        continue;
      }
      if (checksum !== undefined) {
        throw new MigrationError(
          `migration ${file.name} was changed after it was applied; add a new migration instead`,
        );
      }
      try {
        await scripts.runScript(file.sql, {
          text: 'insert into schema_migrations (name, checksum) values ($1, $2)',
          params: [file.name, file.checksum],
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new MigrationError(`migration ${file.name} failed: ${reason}`, { cause: error });
      }
      result.applied.push(file.name);
    }
    return result;
  });
}
