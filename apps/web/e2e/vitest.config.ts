import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Browser tests: each file starts its own server (in-memory PGlite) and one Chromium.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['e2e/**/*.test.ts'],
    // The web build, and the migrated PGlite snapshot that createTestDatabase loads.
    globalSetup: ['e2e/global-setup.ts', fileURLToPath(import.meta.resolve('@todo/db/testing-setup'))],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The machine may be busy: give the UI a few seconds (TODOMVC.md's limit) to catch up.
    expect: { poll: { timeout: 5_000 } },
    // Two cores: a server and a browser per file already keep both busy.
    maxWorkers: 2,
    // Files share nothing but imported modules (each starts and stops its own server and
    // browser), so a worker may reuse them instead of importing the server stack again.
    isolate: false,
  },
});
