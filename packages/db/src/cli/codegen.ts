// `pnpm db:codegen` writes src/schema.ts from the migrations; `pnpm db:check` (--check) fails
// when the committed file differs. Both run on a fresh in-memory PGlite: no server needed.
import { syncSchemaFile } from '../codegen.ts';

const check = process.argv.includes('--check');
const outcome = await syncSchemaFile({ check });
const messages = {
  'up-to-date': check
    ? 'packages/db/src/schema.ts matches the migrations.'
    : 'packages/db/src/schema.ts is already up to date.',
  written: 'wrote packages/db/src/schema.ts',
  stale: 'packages/db/src/schema.ts is stale: run `pnpm db:codegen` and commit the result.',
} as const;
if (outcome === 'stale') {
  console.error(messages.stale);
  process.exitCode = 1;
} else {
  console.log(messages[outcome]);
}
