// The web build as the production server serves it: an installable app (a service worker, its
// Workbox runtime, the registration script and the web app manifest) must be served so that a
// browser sees a new deploy, with the right content types, under the same strict CSP.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultTestDriver } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './testing.ts';

/** A stand-in for apps/web/dist after `vite build` with vite-plugin-pwa: the same file names. */
const BUILD: Record<string, string> = {
  'index.html': '<!doctype html><title>Todos</title><link rel="manifest" href="/manifest.webmanifest">',
  'sw.js': 'define(["./workbox-9c191d2f"], function (e) { self.skipWaiting(); });\n',
  'workbox-9c191d2f.js': 'define(["exports"], function (e) {});\n',
  'manifest.webmanifest': JSON.stringify({ name: 'Todos', start_url: '/', display: 'standalone' }),
  'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  'icon-192.png': '\x89PNG\r\n',
  'assets/index-Gj6Wj4f-.js': 'console.log("app")\n',
  'assets/index-cbjDhdjG.css': 'body{}\n',
};

describe('the production server and the installable web build', () => {
  let server: TestServer;
  let dist: string;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'todo-web-pwa-'));
    mkdirSync(join(dist, 'assets'));
    for (const [name, content] of Object.entries(BUILD)) writeFileSync(join(dist, name), content);
    // Production: sirv reads the folder once at start, as it does when deployed.
    server = await startTestServer(defaultTestDriver, { NODE_ENV: 'production', WEB_DIST: dist });
  });
  afterAll(async () => {
    await server?.stop();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  it.each([
    ['/sw.js', /^text\/javascript|^application\/javascript/],
    ['/workbox-9c191d2f.js', /^text\/javascript|^application\/javascript/],
    ['/manifest.webmanifest', /^application\/manifest\+json/],
    ['/index.html', /^text\/html/],
    ['/', /^text\/html/],
    ['/active', /^text\/html/],
    ['/favicon.svg', /^image\/svg\+xml/],
    ['/icon-192.png', /^image\/png/],
  ])('%s is revalidated on every use (no-cache), as %s', async (path, type) => {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(type);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    // Revalidating costs a 304 with no body, not a download.
    const etag = response.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(`${server.url}${path}`, { headers: { 'if-none-match': String(etag) } });
    expect(again.status).toBe(304);
  });

  it('content-hashed /assets/ files may be kept for a year', async () => {
    for (const path of ['/assets/index-Gj6Wj4f-.js', '/assets/index-cbjDhdjG.css']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('cache-control'), path).toBe('public, max-age=31536000, immutable');
    }
  });

  it('the service worker and the manifest come under the strict CSP, which lets them load from here only', async () => {
    for (const path of ['/', '/sw.js', '/manifest.webmanifest']) {
      const response = await fetch(`${server.url}${path}`);
      const csp = String(response.headers.get('content-security-policy'));
      const directives = new Map(
        csp.split(';').map((part) => {
          const [name = '', ...values] = part.trim().split(/\s+/);
          return [name, values.join(' ')] as const;
        }),
      );
      expect(directives.get('default-src'), path).toBe("'self'");
      expect(directives.get('script-src'), path).toBe("'self'");
      // worker-src falls back to script-src, manifest-src to default-src: both same-origin only.
      expect(directives.has('worker-src'), path).toBe(false);
      expect(directives.has('manifest-src'), path).toBe(false);
      expect(csp, path).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('an /api path is never answered with the app shell', async () => {
    const response = await fetch(`${server.url}/api/sw.js`);
    expect(response.status).toBe(404);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});
