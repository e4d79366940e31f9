/**
 * A migrated PostgreSQL database that test databases are cloned from (`create database …
 * template …`), made once per set of migrations on the TEST_DATABASE_URL server. Cloning copies
 * the files of a small database; migrating a fresh one runs every migration's SQL on the server,
 * several times the work, once per test file and driver. Test code only.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { createDatabase } from './database.ts';
import { migrate, readMigrations } from './migrate.ts';

/** Any number: the one lock every test process takes while it looks for or makes the template. */
const TEMPLATE_LOCK = 7_131_995;
const PREFIX = 'todo_template_';

/** The template's name: it carries a checksum of every migration, so a changed one never loads stale. */
async function templateName(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await readMigrations()) hash.update(`${file.name}\0${file.checksum}\0`);
  return `${PREFIX}${hash.digest('hex').slice(0, 16)}`;
}

/**
 * The name of the migrated template on the server at `adminUrl`, made first if it is missing.
 * Test processes that start at once wait for each other on an advisory lock, so one makes it and
 * the others find it. Templates of other migrations are dropped when a new one is made.
 */
export async function migratedTemplate(adminUrl: string): Promise<string> {
  const name = await templateName();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      const stale = await admin.query<{ datname: string }>(
        'select datname from pg_database where datname like $1 and datname <> $2',
        [`${PREFIX}%`, name],
      );
      for (const { datname } of stale.rows)
        await admin.query(`drop database if exists ${datname} with (force)`);
      // Made under another name and renamed when complete: a process that dies half-way leaves
      // no template that looks finished.
      const partial = `${name}_partial`;
      await admin.query(`drop database if exists ${partial} with (force)`);
      await admin.query(`create database ${partial}`);
      const url = new URL(adminUrl);
      url.pathname = `/${partial}`;
      const database = createDatabase({
        driver: 'pg',
        url: url.toString(),
        poolMax: 2,
        connectTimeoutMs: 5_000,
        idleTimeoutMs: 10_000,
        statementTimeoutMs: 60_000,
      });
      try {
        await migrate(database.scripts);
      } finally {
        await database.close();
      }
      await admin.query(`alter database ${partial} rename to ${name}`);
    }
    return name;
  } finally {
    await admin.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK]).catch(() => {});
    await admin.end();
  }
}
