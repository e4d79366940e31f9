import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { WORKSPACE_ROOT } from '../config.ts';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
// Under .data/ (ignored by git), unique to this run.
const relativeDir = `.data/test-migrate-cli-${randomBytes(4).toString('hex')}`;

describe('pnpm db:migrate (src/cli/migrate.ts)', () => {
  afterAll(() => {
    rmSync(join(WORKSPACE_ROOT, relativeDir), { recursive: true, force: true });
    rmSync(join(WORKSPACE_ROOT, `${relativeDir}.lock`), { recursive: true, force: true });
    rmSync(join(PACKAGE_DIR, relativeDir), { recursive: true, force: true });
  });

  test('run from packages/db, a relative PGLITE_DIR lands at the repository root', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/migrate.ts'],
      {
        cwd: PACKAGE_DIR,
        // Only what the command needs: never the test run's own DATABASE_URL.
        env: { PATH: process.env.PATH, HOME: process.env.HOME, PGLITE_DIR: relativeDir },
      },
    );
    expect(stdout).toMatch(/^pglite: \d+ applied, 0 already applied$/m);
    expect(existsSync(join(WORKSPACE_ROOT, relativeDir, 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(PACKAGE_DIR, relativeDir))).toBe(false);
  });
});
