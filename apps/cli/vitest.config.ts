import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// PGlite boots in a few seconds, and every step spawns the CLI as its own process: about half
// a second each on an idle machine, several seconds while the whole suite runs in parallel.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // The migrated PGlite snapshot that createTestDatabase loads, made once per run.
    globalSetup: [fileURLToPath(import.meta.resolve('@todo/db/testing-setup'))],
  },
});
