import { defineConfig } from 'vitest/config';

// `pnpm test:faults`: only the fault tests (*.faults.test.ts), which start their own
// PostgreSQL and server processes, stop them on purpose and take a minute; one file at a time.
export default defineConfig({
  test: {
    include: ['src/**/*.faults.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
