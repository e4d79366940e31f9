import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from './database.ts';
import { MIGRATIONS_DIR, migrate, readMigrations } from './migrate.ts';
import { createTestDatabase, queryRows, type TestDatabase } from './testing.ts';
import { makePgliteSnapshot, pgliteSnapshotPath, readPgliteSnapshot } from './testing-snapshot.ts';

// What the migrations built: tables and columns, constraints, indexes, policies and functions.
const SCHEMA = `
  select 'column' as kind, table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') as what
    from information_schema.columns where table_schema = 'public'
  union all select 'constraint', conrelid::regclass || ' ' || pg_get_constraintdef(oid) from pg_constraint where connamespace = 'public'::regnamespace
  union all select 'index', indexdef from pg_indexes where schemaname = 'public'
  union all select 'policy', tablename || ' ' || policyname || ' ' || cmd || ' ' || coalesce(qual, '') || ' ' || coalesce(with_check, '') from pg_policies
  union all select 'function', p.proname || ' ' || md5(pg_get_functiondef(p.oid)) from pg_proc p where p.pronamespace = 'public'::regnamespace and p.prokind = 'f'
  union all select 'migration', name || ' ' || checksum from schema_migrations
  order by 1, 2`;

describe('the migrated PGlite snapshot', () => {
  let fromSnapshot: TestDatabase;
  let fromEmpty: TestDatabase;
  beforeAll(async () => {
    await makePgliteSnapshot();
    fromSnapshot = await createTestDatabase('pglite');
    fromEmpty = await createTestDatabase('pglite', { migrated: false });
    await migrate(fromEmpty.scripts);
  });
  afterAll(async () => {
    await fromSnapshot?.dispose();
    await fromEmpty?.dispose();
  });

  it('exists once globalSetup has run, and a database opened on it is migrated without migrate()', async () => {
    const snapshot = await readPgliteSnapshot();
    expect(snapshot).toBeInstanceOf(Blob);
    const loaded = createDatabase(
      { driver: 'pglite', dataDir: null },
      { loadDataDir: snapshot ?? undefined },
    );
    try {
      const files = await readMigrations();
      const recorded = await queryRows<{ name: string; checksum: string }>(
        loaded.db,
        'select name, checksum from schema_migrations order by name',
      );
      expect(recorded).toEqual(files.map(({ name, checksum }) => ({ name, checksum })));
    } finally {
      await loaded.close();
    }
    // Loaded, not migrated: migrate() finds every file applied.
    expect(await migrate(fromSnapshot.scripts)).toEqual({
      applied: [],
      alreadyApplied: expect.arrayContaining(['0001_auth.sql']),
    });
  });

  it('holds the same schema as migrating an empty database', async () => {
    const built = await queryRows<{ kind: string; what: string }>(fromEmpty.db, SCHEMA);
    expect(built.filter((row) => row.kind === 'migration').length).toBeGreaterThan(0);
    expect(built.some((row) => row.kind === 'policy')).toBe(true);
    expect(await queryRows(fromSnapshot.db, SCHEMA)).toEqual(built);
  });

  it('is a fresh copy for every test database: writes to one never reach the next', async () => {
    await queryRows(
      fromSnapshot.db,
      "insert into users (name, email, email_verified) values ('x', 'x@example.com', false)",
    );
    const next = await createTestDatabase('pglite');
    try {
      expect(await queryRows(next.db, 'select id from users')).toEqual([]);
    } finally {
      await next.dispose();
    }
  });

  it('is named after the migrations: a changed, added or removed file names another snapshot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'todo-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const same = await pgliteSnapshotPath(dir);
      expect(same).toBe(await pgliteSnapshotPath());
      await writeFile(join(dir, '9999_more.sql'), 'select 1;\n');
      const added = await pgliteSnapshotPath(dir);
      expect(added).not.toBe(same);
      await writeFile(join(dir, '9999_more.sql'), 'select 2;\n');
      const changed = await pgliteSnapshotPath(dir);
      expect(changed).not.toBe(added);
      await rm(join(dir, '9999_more.sql'));
      expect(await pgliteSnapshotPath(dir)).toBe(same);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
