import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { GenericExpressionNode, generate, IdentifierNode, PostgresDialect } from 'kysely-codegen';
import { createDatabase } from './database.ts';
import { MIGRATIONS_DIR, migrate } from './migrate.ts';

/** The committed Kysely types, `src/schema.ts`. */
export const SCHEMA_FILE = fileURLToPath(new URL('./schema.ts', import.meta.url));

/** The Kysely types of an already migrated database, as kysely-codegen prints them. */
export async function generateSchemaSource<T>(db: Kysely<T>): Promise<string> {
  return generate({
    // kysely-codegen types its `db` option as Kysely<any>; any migrated database will do.
    db: db as Parameters<typeof generate>[0]['db'],
    dialect: new PostgresDialect(),
    excludePattern: 'schema_migrations',
    // No default, but a trigger fills them (migrations 0011, 0015: the list's next position, the
    // author's Inbox), so an insert may leave them out. (Nodes, not strings like
    // 'Generated<number>': parsing a string needs TypeScript's JS API.)
    overrides: {
      columns: {
        'todos.position': new GenericExpressionNode('Generated', [new IdentifierNode('number')]),
        'todos.list_id': new GenericExpressionNode('Generated', [new IdentifierNode('string')]),
      },
    },
    outFile: null,
  });
}

export type CodegenOutcome = 'up-to-date' | 'written' | 'stale';

/**
 * Migrates a fresh in-memory PGlite (no server needed), generates the types and compares them
 * with `outFile`: `check` only reports `stale`, otherwise a differing file is rewritten.
 *
 * @example if ((await syncSchemaFile({ check: true })) === 'stale') process.exitCode = 1;
 */
export async function syncSchemaFile({
  outFile = SCHEMA_FILE,
  check = false,
  migrationsDir = MIGRATIONS_DIR,
}: {
  outFile?: string;
  check?: boolean;
  migrationsDir?: string;
} = {}): Promise<CodegenOutcome> {
  const database = createDatabase({ driver: 'pglite', dataDir: null });
  try {
    await migrate(database.scripts, migrationsDir);
    const generated = await generateSchemaSource(database.db);
    const committed = await readFile(outFile, 'utf8').catch(() => '');
    if (generated === committed) return 'up-to-date';
    if (check) return 'stale';
    await writeFile(outFile, generated);
    return 'written';
  } finally {
    await database.close();
  }
}
