import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The shapes test starts the real server in this process, over PGlite: a few seconds to boot,
// longer on a busy machine.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The migrated PGlite snapshot that createTestDatabase loads, made once per run.
    globalSetup: [fileURLToPath(import.meta.resolve('@todo/db/testing-setup'))],
  },
});
