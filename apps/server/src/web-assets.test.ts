// The real web build (vite build of apps/web, with its .br and .gz copies) served by the real
// production server: each hashed asset goes out in the encoding the request accepts (brotli
// first, then gzip, else the plain file), cached for a year, and every copy decompresses to
// exactly the file it stands for. Raw bytes through node:http: fetch would decompress them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { defaultTestDriver } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './testing.ts';

const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
const VITE = join(WEB_ROOT, 'node_modules/vite/bin/vite.js');

type RawReply = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };

/** A GET whose body arrives as sent: still compressed, if it was. */
function getRaw(url: string, headers: Record<string, string> = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

const DECODE: Record<string, (body: Buffer) => Buffer> = {
  br: brotliDecompressSync,
  gzip: gunzipSync,
  identity: (body) => body,
};

describe.skipIf(!existsSync(VITE))('the production server and the real web build', () => {
  let dist: string;
  let server: TestServer;
  /** The content-hashed files vite wrote under assets/ (not the copies). */
  let assets: string[];

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'todo-web-build-'));
    // Its own process, as `pnpm build` runs it: vitest's NODE_ENV=test would bundle React's
    // development build. Into a folder of its own, so the browser tests' dist is left alone.
    execFileSync(process.execPath, [VITE, 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: WEB_ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: 'inherit',
    });
    assets = readdirSync(join(dist, 'assets')).filter((name) => !/\.(br|gz)$/.test(name));
    server = await startTestServer(defaultTestDriver, { NODE_ENV: 'production', WEB_DIST: dist });
  });
  afterAll(async () => {
    await server?.stop();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  it('the build wrote a brotli and a gzip copy beside each JS and CSS asset, and nowhere else', () => {
    const scripts = assets.filter((name) => /\.(js|css)$/.test(name));
    expect(scripts.length).toBeGreaterThan(3);
    for (const name of scripts) {
      expect(existsSync(join(dist, 'assets', `${name}.br`)), name).toBe(true);
      expect(existsSync(join(dist, 'assets', `${name}.gz`)), name).toBe(true);
    }
    expect(readdirSync(dist).filter((name) => /\.(br|gz)$/.test(name))).toEqual([]);
  });

  it('the service worker precaches the plain files only, so the copies are not fetched twice', () => {
    const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
    const urls = [...sw.matchAll(/url:"([^"]+)"/g)].map((match) => match[1]);
    expect(urls).toContain(`assets/${assets.find((name) => name.endsWith('.js'))}`);
    expect(urls.filter((url) => /\.(br|gz)$/.test(String(url)))).toEqual([]);
  });

  it.each([
    ['br', 'br'],
    ['gzip', 'gzip'],
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip, br', 'br'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['*', 'br'],
    ['identity', 'identity'],
    ['deflate', 'identity'],
    ['', 'identity'],
  ])(
    'Accept-Encoding "%s" gets %s, for every asset, byte for byte the built file',
    async (accept, expected) => {
      for (const name of assets) {
        const path = `/assets/${name}`;
        const original = readFileSync(join(dist, 'assets', name));
        // A file whose copy would not be smaller has none (the plugin skips it): it goes out plain.
        const hasCopy = existsSync(join(dist, 'assets', `${name}.${expected === 'br' ? 'br' : 'gz'}`));
        const encoding = expected !== 'identity' && hasCopy ? expected : 'identity';
        const reply = await getRaw(`${server.url}${path}`, accept ? { 'accept-encoding': accept } : {});
        expect(reply.status, path).toBe(200);
        expect(reply.headers['content-encoding'] ?? 'identity', path).toBe(encoding);
        expect(reply.headers.vary, path).toMatch(/accept-encoding/i);
        expect(reply.headers['cache-control'], path).toBe('public, max-age=31536000, immutable');
        expect(Number(reply.headers['content-length']), path).toBe(reply.body.length);
        expect(reply.headers['content-type'], path).toMatch(
          name.endsWith('.css') ? /^text\/css/ : name.endsWith('.js') ? /javascript/ : /./,
        );
        expect(DECODE[encoding]?.(reply.body).equals(original), path).toBe(true);
        if (encoding !== 'identity') expect(reply.body.length, path).toBeLessThan(original.length);
      }
    },
  );

  it('index.html and client routes are revalidated on every use (no-cache), whatever the encoding', async () => {
    const html = readFileSync(join(dist, 'index.html'));
    for (const path of ['/', '/index.html', '/active', '/account']) {
      const reply = await getRaw(`${server.url}${path}`, { 'accept-encoding': 'br, gzip' });
      expect(reply.status, path).toBe(200);
      expect(reply.headers['cache-control'], path).toBe('no-cache');
      expect(reply.headers['content-type'], path).toMatch(/^text\/html/);
      const decoded = DECODE[String(reply.headers['content-encoding'] ?? 'identity')]?.(reply.body);
      expect(decoded?.equals(html), path).toBe(true);
    }
  });
});
