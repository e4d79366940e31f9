import { defineConfig } from 'vitest/config';

// PGlite boots in a few seconds, and every test spawns the CLI as its own process.
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 60_000 },
});
