import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { SCHEMA_FILE, syncSchemaFile } from './codegen.ts';
import { MIGRATIONS_DIR } from './migrate.ts';

// What `pnpm db:check` and `pnpm db:codegen` do, on copies of the migrations and of
// schema.ts. (That the committed schema.ts matches the migrations is checked on every driver
// in schema.test.ts, and by `pnpm db:check` in CI.)
const scratch = await mkdtemp(join(tmpdir(), 'todo-codegen-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

test('after a new migration the check reports schema.ts stale and leaves it; codegen rewrites it', async () => {
  const migrationsDir = join(scratch, 'migrations');
  await cp(MIGRATIONS_DIR, migrationsDir, { recursive: true });
  await writeFile(
    join(migrationsDir, '9999_todos_estimate.sql'),
    'alter table todos add column estimate int;\n',
  );
  const committed = await readFile(SCHEMA_FILE, 'utf8');
  const outFile = join(scratch, 'schema.ts');
  await writeFile(outFile, committed);

  expect(await syncSchemaFile({ outFile, migrationsDir, check: true })).toBe('stale');
  expect(await readFile(outFile, 'utf8')).toBe(committed);

  expect(await syncSchemaFile({ outFile, migrationsDir })).toBe('written');
  const regenerated = await readFile(outFile, 'utf8');
  expect(regenerated).toMatch(/export interface Todos \{[^}]*\n {2}estimate: number \| null;\n/);
  // Everything else is as committed: the new column is the only difference.
  expect(regenerated.replace('  estimate: number | null;\n', '')).toBe(committed);
});
