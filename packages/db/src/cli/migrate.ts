// `pnpm db:migrate`: applies migrations/*.sql to the configured database, using
// DATABASE_URL_DIRECT when set (Neon's pooler cannot hold the migration lock).
import { databaseConfigFromEnv, databaseEnvSchema, withoutEmptyValues } from '../config.ts';
import { DataDirInUseError } from '../data-dir-lock.ts';
import { createDatabase, type Database } from '../database.ts';
import { migrate } from '../migrate.ts';

const env = databaseEnvSchema.safeParse(withoutEmptyValues(process.env));
if (!env.success) {
  for (const issue of env.error.issues) console.error(`${issue.path.join('.')}: ${issue.message}`);
  process.exit(1);
}
let database: Database;
try {
  database = createDatabase(databaseConfigFromEnv(env.data, { direct: true }));
} catch (error) {
  // A running server holds the embedded database: migrating under it would corrupt it.
  if (!(error instanceof DataDirInUseError)) throw error;
  console.error(error.message);
  process.exit(1);
}
try {
  const { applied, alreadyApplied } = await migrate(database.scripts);
  for (const name of applied) console.log(`applied ${name}`);
  console.log(`${database.driver}: ${applied.length} applied, ${alreadyApplied.length} already applied`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await database.close();
}
