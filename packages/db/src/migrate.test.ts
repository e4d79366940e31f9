import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDatabase, type Database } from './database.ts';
import { MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from './migrate.ts';
import { createTestDatabase, queryRows, type TestDatabase, testDrivers } from './testing.ts';

type Recorded = { name: string; checksum: string; applied_at: Date };

const scratch: string[] = [];
afterAll(() => Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A copy of `from` (the real migrations by default) with files added, replaced or removed. */
async function migrationsDir(changes: Record<string, string | null> = {}, from = MIGRATIONS_DIR) {
  const dir = await mkdtemp(join(tmpdir(), 'todo-migrations-'));
  scratch.push(dir);
  await cp(from, dir, { recursive: true });
  for (const [name, content] of Object.entries(changes)) {
    if (content === null) await rm(join(dir, name));
    else await writeFile(join(dir, name), content);
  }
  return dir;
}

describe.each(testDrivers)('migrate on %s', (driver) => {
  let database: TestDatabase;
  let names: string[];
  // Every file this database has applied so far: later tests build on it.
  let appliedDir: string;
  const recorded = () => queryRows<Recorded>(database.db, 'select * from schema_migrations order by name');
  const tableExists = async (name: string) =>
    (
      await queryRows<{ found: string | null }>(database.db, `select to_regclass('${name}')::text as found`)
    )[0]?.found === name;

  beforeAll(async () => {
    database = await createTestDatabase(driver, { migrated: false });
    names = (await readMigrations()).map((file) => file.name);
    appliedDir = MIGRATIONS_DIR;
  });
  afterAll(() => database?.dispose());

  test('two migrators at the same moment take an empty database to the latest, each file once', async () => {
    // No query before this one: on PGlite both migrators then queue their first statements
    // while it boots and interleave from there, as two processes would on a server.
    // On a server: two independent pools, as two processes would have. PGlite lives in one
    // process, so two concurrent calls on it.
    const second: Database = driver === 'pglite' ? database : createDatabase(database.config);
    try {
      const results = await Promise.all([migrate(database.scripts), migrate(second.scripts)]);
      expect(results.flatMap((result) => result.applied).sort()).toEqual(names);
      for (const result of results) {
        expect([...result.applied, ...result.alreadyApplied].sort()).toEqual(names);
      }
    } finally {
      if (second !== database) await second.close();
    }
    for (const table of ['users', 'sessions', 'accounts', 'verifications', 'todos']) {
      expect(await tableExists(table)).toBe(true);
    }
    const files = await readMigrations();
    expect((await recorded()).map(({ name, checksum }) => ({ name, checksum }))).toEqual(
      files.map(({ name, checksum }) => ({ name, checksum })),
    );
    // Every migration from nothing, twice over on one PGlite: slow on a busy machine.
  }, 90_000);

  test('a second run changes nothing', async () => {
    const before = await recorded();
    const objectsBefore = await queryRows(
      database.db,
      "select count(*) as n from pg_class where relnamespace = 'public'::regnamespace",
    );
    expect(await migrate(database.scripts)).toEqual({ applied: [], alreadyApplied: names });
    expect(await recorded()).toEqual(before);
    expect(
      await queryRows(
        database.db,
        "select count(*) as n from pg_class where relnamespace = 'public'::regnamespace",
      ),
    ).toEqual(objectsBefore);
  });

  test('two migrators racing for a slow new file apply it once', async () => {
    // A slow file with a visible side effect: without the lock both migrators would see it
    // unapplied, run it twice and fail on the second `create table`.
    const dir = await migrationsDir({
      '9001_concurrency_probe.sql':
        'create table concurrency_probe (n int);\nselect pg_sleep(0.2);\ninsert into concurrency_probe values (1);\n',
      '9002_concurrency_probe_more.sql': 'insert into concurrency_probe values (2);\n',
    });
    // On a server: two independent pools, as two processes would have. PGlite lives in one
    // process, so two concurrent calls on it.
    const second: Database = driver === 'pglite' ? database : createDatabase(database.config);
    try {
      const results = await Promise.all([migrate(database.scripts, dir), migrate(second.scripts, dir)]);
      const probes = ['9001_concurrency_probe.sql', '9002_concurrency_probe_more.sql'];
      expect(results.flatMap((result) => result.applied).sort()).toEqual(probes);
      for (const result of results)
        expect([...result.applied, ...result.alreadyApplied].sort()).toEqual([...names, ...probes].sort());
      expect(await queryRows(database.db, 'select n from concurrency_probe order by n')).toEqual([
        { n: 1 },
        { n: 2 },
      ]);
      expect((await recorded()).map((row) => row.name)).toEqual([...names, ...probes]);
    } finally {
      if (second !== database) await second.close();
    }
    appliedDir = dir;
  });

  test('an applied file that was edited is refused, naming it, and nothing after it runs', async () => {
    const target = names.at(-1) ?? '';
    const original = await readFile(join(appliedDir, target), 'utf8');
    const dir = await migrationsDir(
      {
        [target]: `${original}\n-- an innocent-looking comment\n`,
        '9100_after_the_edit.sql': 'create table after_the_edit (n int);',
      },
      appliedDir,
    );
    const error = await migrate(database.scripts, dir).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toBe(
      `migration ${target} was changed after it was applied; add a new migration instead`,
    );
    expect(await tableExists('after_the_edit')).toBe(false);
    expect((await recorded()).map((row) => row.name)).not.toContain('9100_after_the_edit.sql');
  });

  test('an applied file that disappeared is refused, naming it', async () => {
    const dir = await migrationsDir({ '9002_concurrency_probe_more.sql': null }, appliedDir);
    await expect(migrate(database.scripts, dir)).rejects.toThrow(
      /applied migration 9002_concurrency_probe_more\.sql is missing from/,
    );
  });

  test('a file that fails rolls back completely and is not recorded', async () => {
    const broken =
      'create table half_done (n int);\ninsert into half_done values (1);\nalter table todos add column half_done int;\nselect 1 / 0;\n';
    const dir = await migrationsDir({ '9200_broken.sql': broken }, appliedDir);
    const error = await migrate(database.scripts, dir).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/^migration 9200_broken\.sql failed: division by zero/);
    expect(await tableExists('half_done')).toBe(false);
    expect(
      await queryRows(
        database.db,
        "select 1 from information_schema.columns where table_name = 'todos' and column_name = 'half_done'",
      ),
    ).toEqual([]);
    expect((await recorded()).map((row) => row.name)).not.toContain('9200_broken.sql');

    // Not recorded, so the corrected file runs on the next attempt.
    const fixed = await migrationsDir({ '9200_broken.sql': 'create table half_done (n int);\n' }, appliedDir);
    expect((await migrate(database.scripts, fixed)).applied).toEqual(['9200_broken.sql']);
    expect(await tableExists('half_done')).toBe(true);
    appliedDir = fixed;
  });

  test('a file named out of pattern is refused before anything runs', async () => {
    const dir = await migrationsDir({ '9300 Add Things.sql': 'create table things (n int);' }, appliedDir);
    await expect(migrate(database.scripts, dir)).rejects.toThrow(
      'migration file 9300 Add Things.sql must be named like 0001_description.sql',
    );
    expect(await tableExists('things')).toBe(false);
  });

  test.skipIf(driver === 'pglite')(
    "a slow migration is not cut off by the application's statement timeout",
    async () => {
      const dir = await migrationsDir(
        { '9400_slow.sql': 'select pg_sleep(0.5);\ncreate table slow_done (n int);\n' },
        appliedDir,
      );
      const impatient = createDatabase({
        ...database.config,
        statementTimeoutMs: 100,
      } as typeof database.config);
      try {
        expect((await migrate(impatient.scripts, dir)).applied).toEqual(['9400_slow.sql']);
      } finally {
        await impatient.close();
      }
      expect(await tableExists('slow_done')).toBe(true);
    },
  );
});
