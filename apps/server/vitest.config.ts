import { defineConfig } from 'vitest/config';

// PGlite takes a few seconds to boot; each test file starts one server (and database) per driver.
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 60_000 },
});
