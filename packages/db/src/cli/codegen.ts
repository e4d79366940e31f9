// `pnpm db:codegen` writes src/schema.ts from the migrations; `pnpm db:check` (--check) fails
// when the committed file differs. Both run on a fresh in-memory PGlite: no server needed.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generate, PostgresDialect } from 'kysely-codegen';
import { createDatabase } from '../database.ts';
import { migrate } from '../migrate.ts';

const outFile = fileURLToPath(new URL('../schema.ts', import.meta.url));
const check = process.argv.includes('--check');

const database = createDatabase({ driver: 'pglite', dataDir: null });
try {
  await migrate(database.scripts);
  const generated = await generate({
    db: database.db,
    dialect: new PostgresDialect(),
    excludePattern: 'schema_migrations',
    outFile: null,
  });
  const committed = await readFile(outFile, 'utf8').catch(() => '');
  if (check) {
    if (generated !== committed) {
      console.error('packages/db/src/schema.ts is stale: run `pnpm db:codegen` and commit the result.');
      process.exitCode = 1;
    } else {
      console.log('packages/db/src/schema.ts matches the migrations.');
    }
  } else if (generated !== committed) {
    await writeFile(outFile, generated);
    console.log('wrote packages/db/src/schema.ts');
  } else {
    console.log('packages/db/src/schema.ts is already up to date.');
  }
} finally {
  await database.close();
}
