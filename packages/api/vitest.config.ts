import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// PGlite takes a few seconds to boot; each test file creates its database once per driver.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The migrated PGlite snapshot that createTestDatabase loads, made once per run.
    globalSetup: [fileURLToPath(import.meta.resolve('@todo/db/testing-setup'))],
  },
});
