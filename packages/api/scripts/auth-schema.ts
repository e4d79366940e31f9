// Prints the SQL that creates Better Auth's tables for our options, computed by Better Auth
// itself against an empty in-memory database. Used to write migrations/0001_auth.sql.
import { createDatabase } from '@todo/db';
import { getMigrations } from 'better-auth/db/migration';
import { authSchemaOptions } from '../src/auth.ts';

const { db, close } = createDatabase({ driver: 'pglite', dataDir: null });
const { compileMigrations } = await getMigrations({
  ...authSchemaOptions,
  database: { db, type: 'postgres' },
  emailAndPassword: { enabled: true },
});
process.stdout.write(`${await compileMigrations()}\n`);
await close();
