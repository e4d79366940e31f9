import { defineConfig } from 'vitest/config';

// PGlite takes a few seconds to boot and migrate; each file creates its database once. The
// bounds are the server package's: a machine shared with browser tests can be slow.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The migrated PGlite snapshot that createTestDatabase loads, made once per run.
    globalSetup: ['src/testing-setup.ts'],
  },
});
