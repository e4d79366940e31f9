import { defineConfig } from 'vitest/config';

// Bundling with esbuild takes a moment on a busy machine.
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 60_000 },
});
