import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// PGlite boots in a few seconds, and every step spawns the CLI as its own process: a few tenths
// of a second each on an idle machine, more while the whole suite runs in parallel.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 60_000,
    globalSetup: [
      // The migrated PGlite snapshot that createTestDatabase loads, made once per run.
      fileURLToPath(import.meta.resolve('@todo/db/testing-setup')),
      // The compiled `todo` (dist/todo.js) from the sources as they are now: bin/todo.js runs it.
      fileURLToPath(new URL('./build-setup.ts', import.meta.url)),
    ],
  },
});
