/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { compression } from 'vite-plugin-compression2';
import { VitePWA } from 'vite-plugin-pwa';

/** The page background of src/ui/theme.css, light and dark: the splash screen and the title bar. */
export const THEME = { light: '#f4f3f1', dark: '#111316' } as const;

/**
 * The installable app: a web app manifest, and a service worker (Workbox's generateSW) that
 * precaches the built shell (HTML, JS, CSS, icons) so the app opens without the network.
 * - Every navigation outside /api (and the health checks) is answered with the cached
 *   index.html: the app routes on the client. API calls are never cached.
 * - autoUpdate: a new service worker (a new deploy) takes over as soon as it has installed, and
 *   drops the old precache, so the next visit runs the new build; no visitor keeps a stale app.
 * - main.tsx registers it once the page has loaded: the server's CSP allows no inline script,
 *   and the plugin's own registerSW.js would be one more file on the first load (125 bytes
 *   gzipped of a 100,000-byte budget, against about 45 inside the app's file). With
 *   injectRegister off the plugin leaves skipWaiting and clientsClaim to us.
 */
const pwa = VitePWA({
  strategies: 'generateSW',
  registerType: 'autoUpdate',
  injectRegister: false,
  includeAssets: ['favicon.svg'],
  manifest: {
    name: 'Todos',
    short_name: 'Todos',
    description: 'Your todos, saved to your account.',
    id: '/',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    background_color: THEME.light,
    theme_color: THEME.light,
    icons: [
      { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  },
  workbox: {
    globPatterns: ['**/*.{html,js,css,svg,png}'],
    navigateFallback: 'index.html',
    navigateFallbackDenylist: [/^\/api(\/|$)/, /^\/healthz$/, /^\/readyz$/],
    skipWaiting: true,
    clientsClaim: true,
    cleanupOutdatedCaches: true,
  },
});

/**
 * Brotli and gzip copies of the content-hashed JS, CSS and SVG under assets/, made once at
 * build at the highest levels (too slow per request, free ahead of time), beside each file as
 * name.br and name.gz; the server picks one by Accept-Encoding (sirv). Nothing else: index.html
 * and the service worker's files are small and revalidated on every visit. The service worker
 * precaches the plain files only (its globPatterns end in .js, .css, … and no copy matches), and
 * a copy that would not be smaller is not written.
 */
const precompress = compression({
  include: /(^|\/)assets\/[^/]+\.(js|css|svg)$/,
  algorithms: ['brotliCompress', 'gzip'],
  logLevel: 'silent',
});

/**
 * live-link.ts reads httpSubscriptionLink from `@trpc/client?live`, a second instance of the
 * package's entry module (see there). That link takes one helper from tRPC's WebSocket client
 * module, which the first paint's instance of the entry imports too; a bundler places a module
 * whole, so the WebSocket client (which the app never opens) was in the first load. The `?live`
 * entry gets its own instance of that module as well, and with @trpc/client declared free of
 * import side effects (it has none; its package.json does not say so) the first load drops the
 * one it does not use. If tRPC renames the module, this stops matching and the budget test
 * (e2e/budget.test.ts) says so.
 */
const liveTrpcWebSocketModule: Plugin = {
  name: 'live-trpc-websocket-module',
  enforce: 'pre',
  async resolveId(source, importer) {
    if (!importer?.endsWith('?live') || !source.startsWith('./wsLink-')) return null;
    const resolved = await this.resolve(source, importer.slice(0, -'?live'.length), { skipSelf: true });
    // In development the id may carry a query already (Vite's `?v=` version of a dependency).
    return resolved && { ...resolved, id: `${resolved.id}${resolved.id.includes('?') ? '&' : '?'}live` };
  },
};

// In development Vite serves the app on :5173 and forwards /api to the server's dev port, so
// the browser sees one origin and the session cookie works as it does in production.
export default defineConfig({
  plugins: [react(), pwa, precompress, liveTrpcWebSocketModule],
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
    // No modulepreload polyfill in the first load: index.html preloads nothing, and where a
    // browser lacks modulepreload (Safari before 17) a lazy chunk's dependencies still load,
    // with its import, only not ahead of it.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      // See liveTrpcWebSocketModule.
      treeshake: { moduleSideEffects: [{ test: /[\\/]@trpc[\\/]client[\\/]/, sideEffects: false }] },
      output: {
        // Everything the first paint imports statically goes in one file, index.html's script.
        // Left to itself the bundler moves what a lazy chunk shares with it (React's JSX
        // runtime, tRPC's client) into common chunks of their own, which index.html then
        // preloads: more files, each compressed apart, and about 2 KB more to fetch.
        codeSplitting: { groups: [{ name: 'index', tags: ['$initial'] }] },
      },
    },
  },
  // `pnpm test`: tests that need no browser. The browser tests have their own config
  // (e2e/vitest.config.ts, `pnpm test:e2e`).
  test: {
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
