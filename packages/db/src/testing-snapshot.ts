/**
 * A migrated PGlite data directory, made once per test run and loaded by every test file that
 * asks for a migrated in-memory database. A fresh PGlite runs initdb as it boots, which takes
 * about three times the CPU of loading a dump. Test code only.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { WORKSPACE_ROOT } from './config.ts';
import { createDatabase } from './database.ts';
import { MIGRATIONS_DIR, migrate, readMigrations } from './migrate.ts';

const SNAPSHOT_DIR = join(WORKSPACE_ROOT, 'node_modules/.cache/todo-pglite-snapshots');

/**
 * Where the snapshot for these migrations and this PGlite build lives. The name carries a
 * checksum of every migration file and of PGlite's own wasm and data bundle, so a changed,
 * added or removed migration, or another PGlite, never loads a stale snapshot.
 */
export async function pgliteSnapshotPath(dir = MIGRATIONS_DIR): Promise<string> {
  const require = createRequire(import.meta.url);
  const hash = createHash('sha256');
  for (const asset of ['@electric-sql/pglite/pglite.wasm', '@electric-sql/pglite/pglite.data']) {
    hash.update(await readFile(require.resolve(asset)));
  }
  for (const file of await readMigrations(dir)) hash.update(`${file.name}\0${file.checksum}\0`);
  return join(SNAPSHOT_DIR, `migrated-${hash.digest('hex').slice(0, 20)}.tar.gz`);
}

/**
 * Makes the snapshot unless it exists, and returns its path. Vitest's globalSetup calls it once
 * per run (testing-setup.ts). Written to a temporary name and renamed, so a test run of another
 * package that makes it at the same time never reads half a file.
 */
export async function makePgliteSnapshot(): Promise<string> {
  const path = await pgliteSnapshotPath();
  if (existsSync(path)) return path;
  // The migrator works through createDatabase; the dump needs the PGlite instance itself, so the
  // migrated directory goes to disk and is opened once more to dump it.
  const dataDir = await mkdtemp(join(tmpdir(), 'todo-pglite-snapshot-'));
  try {
    const database = createDatabase({ driver: 'pglite', dataDir });
    try {
      await migrate(database.scripts);
    } finally {
      await database.close();
    }
    const pglite = new PGlite(dataDir);
    // dumpDataDir before the instance is ready never settles.
    await pglite.waitReady;
    const dump = await pglite.dumpDataDir('gzip').finally(() => pglite.close());
    await mkdir(SNAPSHOT_DIR, { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, path);
    return path;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    // The folder's lock (data-dir-lock.ts) lives beside it.
    await rm(`${dataDir}.lock`, { recursive: true, force: true });
  }
}

/** The snapshot for the current migrations, or null when no globalSetup has made it. */
export async function readPgliteSnapshot(): Promise<Blob | null> {
  const path = await pgliteSnapshotPath();
  return existsSync(path) ? new Blob([await readFile(path)]) : null;
}
