/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development Vite serves the app on :5173 and forwards /api to the server's dev port, so
// the browser sees one origin and the session cookie works as it does in production.
export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: 'http://127.0.0.1:3000', changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  // `pnpm test`: tests that need no browser, including the browser harness's pure helpers. The
  // browser tests have their own config (e2e/vitest.config.ts, `pnpm test:e2e`).
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'e2e/chromium.test.ts'],
  },
});
