import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

// PGlite takes a few seconds to boot, much longer while the whole suite runs in parallel on a
// small machine; each test file starts one server (and database) per driver.
// The fault tests (*.faults.test.ts) run on their own: `pnpm test:faults` (vitest.faults.config.ts).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    exclude: [...configDefaults.exclude, '**/*.faults.test.ts'],
    // Vitest's default on two cores is one file at a time; these files mostly wait (on sockets,
    // child processes, timeouts), and the suite is the test line's longest, so three at once.
    maxWorkers: 3,
    // The migrated PGlite snapshot that createTestDatabase loads, made once per run.
    globalSetup: [fileURLToPath(import.meta.resolve('@todo/db/testing-setup'))],
  },
});
