// The installable app: the production server, the built web app with its service worker and
// manifest, Debian's Chromium. Installable by Chrome's own check, the shell served by the service
// worker on a repeat visit and with the server stopped, a new deploy picked up on the next visit.
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, startServer } from '@todo/server';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type App,
  chromiumLookup,
  freePort,
  hasChromium,
  liveStreamOpen,
  newAccount,
  newContext,
  signUpThroughApi,
  startApp,
  watchConsole,
} from './harness.ts';

/** Tests that start servers themselves: on a busy machine a start (PGlite, migrations) can take half a minute. */
const SERVER_STARTS = 300_000;
const WEB_DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const FLAGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];

/** Records every CSP violation the page reports (the console reports them too). */
async function recordCspViolations(context: BrowserContext) {
  await context.addInitScript(() => {
    const seen: string[] = [];
    Object.assign(window, { __cspViolations: seen });
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
}
const cspViolations = (page: Page) =>
  page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);

/**
 * Waits until the page is controlled by the app's service worker and that worker has activated.
 * `ready` resolves, and `clients.claim()` hands the page over, while the worker is still
 * `activating`, so the state is polled (with room for a busy machine).
 */
async function controlledBySw(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect
    .poll(
      () =>
        page.evaluate(() => {
          const worker = navigator.serviceWorker.controller;
          return worker ? `${new URL(worker.scriptURL).pathname} ${worker.state}` : 'not controlled';
        }),
      { timeout: 15_000 },
    )
    .toBe('/sw.js activated');
}

/** Same-origin responses of the app shell (not the API, not the browser's own sw.js check). */
function shellResponses(page: Page) {
  const seen: { url: string; type: string; fromSw: boolean }[] = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.origin !== new URL(page.url() || response.url()).origin) return;
    if (url.pathname.startsWith('/api/') || url.pathname === '/sw.js') return;
    seen.push({
      url: url.pathname,
      type: response.request().resourceType(),
      fromSw: response.fromServiceWorker(),
    });
  });
  // A shell file that could not be had at all is a failure too.
  page.on('requestfailed', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/api/') || url.pathname === '/sw.js') return;
    seen.push({ url: url.pathname, type: request.resourceType(), fromSw: false });
  });
  return seen;
}

describe.skipIf(!hasChromium)('the installable app', () => {
  let app: App;
  let profile: string;
  let context: BrowserContext;

  beforeAll(async () => {
    app = await startApp('pglite');
    // A persistent profile: Chrome does not offer to install from an incognito context, which
    // is what a plain new context is.
    profile = mkdtempSync(join(tmpdir(), 'todo-pwa-profile-'));
    if (!chromiumLookup.found) throw new Error(chromiumLookup.message);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumLookup.path,
      headless: true,
      args: ['--headless', ...FLAGS],
      baseURL: app.url,
      viewport: { width: 900, height: 760 },
    });
  }, SERVER_STARTS);
  afterAll(async () => {
    await context?.close();
    await app?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('the manifest and the service worker load under the CSP, and Chrome finds the app installable', async () => {
    await recordCspViolations(context);
    await signUpThroughApi(context, app, newAccount('Installer'));
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto('/');
    await page.locator('.new-todo').waitFor();
    await controlledBySw(page);

    const cdp = await context.newCDPSession(page);
    const manifest = (await cdp.send('Page.getAppManifest')) as {
      url: string;
      errors: { message: string }[];
      data?: string;
    };
    expect(manifest.url).toBe(`${app.url}/manifest.webmanifest`);
    expect(manifest.errors).toEqual([]);
    expect(JSON.parse(manifest.data ?? '{}')).toMatchObject({
      name: 'Todos',
      short_name: 'Todos',
      start_url: '/',
      display: 'standalone',
    });
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
    // Every icon the manifest names is there, a PNG of the size it says.
    for (const icon of JSON.parse(manifest.data ?? '{}').icons as { src: string; sizes: string }[]) {
      const response = await page.request.get(icon.src);
      expect(response.headers()['content-type'], icon.src).toBe('image/png');
      const png = await response.body();
      const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
      expect(`${width}x${height}`, icon.src).toBe(icon.sizes);
    }
    // Both theme colours are declared, one per colour scheme.
    expect(
      await page
        .locator('meta[name="theme-color"]')
        .evaluateAll((metas) =>
          metas.map((meta) => `${meta.getAttribute('media')} ${meta.getAttribute('content')}`),
        ),
    ).toEqual(['(prefers-color-scheme: light) #f4f3f1', '(prefers-color-scheme: dark) #111316']);

    expect(await cspViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('a repeat visit gets the whole shell from the service worker, none of it from the network', async () => {
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto('/');
    await controlledBySw(page);
    // The first load is over: a reload now cancels none of its fetches, which the shell watch
    // below would count as files the network failed to give.
    await liveStreamOpen(page, { timeout: 15_000 });
    const seen = shellResponses(page);
    await page.reload();
    await page.locator('.new-todo').waitFor();
    const types = new Set(seen.map((entry) => entry.type));
    expect(types).toContain('document');
    expect(types).toContain('script');
    expect(types).toContain('stylesheet');
    expect(seen.filter((entry) => !entry.fromSw)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!hasChromium)('the installed app without a server', () => {
  test(
    'with the server stopped, a reload still opens the app from the service worker',
    async () => {
      const app = await startApp('pglite');
      const browser = await chromium.launch({
        executablePath: chromiumLookup.found ? chromiumLookup.path : '',
        headless: true,
        args: ['--headless', ...FLAGS],
      });
      try {
        const context = await newContext(browser, app);
        await signUpThroughApi(context, app, newAccount('Offline'));
        const page = await context.newPage();
        await page.goto('/');
        await page.locator('.new-todo').waitFor();
        await page.locator('.new-todo').fill('Written while online');
        await page.locator('.new-todo').press('Enter');
        await page.locator('.todo-list li').first().waitFor();
        await controlledBySw(page);
        await liveStreamOpen(page, { timeout: 15_000 });

        await app.close();
        // Nothing answers on the server's port any more.
        await expect(fetch(`${app.url}/`)).rejects.toThrow();

        const seen = shellResponses(page);
        const response = await page.reload();
        expect(response?.fromServiceWorker()).toBe(true);
        expect(await page.title()).toBe('todos');
        // React rendered the app into #root: the shell runs, not the browser's offline page.
        await expect.poll(() => page.locator('#root > *').count()).toBeGreaterThan(0);
        await expect
          .poll(async () => ((await page.locator('#root').textContent()) ?? '').trim().length)
          .toBeGreaterThan(0);
        expect(seen.filter((entry) => !entry.fromSw)).toEqual([]);
        // What the data part shows without a server is the offline data work's (reported, not asserted here).
        await page.waitForTimeout(1_000);
        console.log(
          `offline reload shows: ${JSON.stringify((await page.locator('#root').allInnerTexts()).join('').trim())}`,
        );
        await page.screenshot({
          path: fileURLToPath(new URL('./screenshots/offline-shell.png', import.meta.url)),
        });
      } finally {
        await browser.close();
      }
    },
    SERVER_STARTS,
  );
});

/** The production server on `port`, serving the web build in `webDist`. */
function serveBuild(webDist: string, port: number) {
  return startServer(
    loadConfig({
      ...process.env,
      DATABASE_URL: undefined,
      DATABASE_DRIVER: undefined,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      PGLITE_DIR: 'memory',
      BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
      LOG_REQUESTS: 'false',
      WEB_DIST: webDist,
    }),
  );
}

/**
 * Build B: build A with its index.html changed (a marker), and the service worker's precache
 * revision of index.html updated to the new file's MD5, as Workbox itself computes it. So sw.js
 * differs byte for byte, which is how a browser learns of a deploy.
 */
function deriveBuild(from: string, to: string, marker: string): string {
  cpSync(from, to, { recursive: true });
  const index = join(to, 'index.html');
  const before = readFileSync(index, 'utf8');
  const after = before.replace('</head>', `<meta name="todos-build" content="${marker}"></head>`);
  writeFileSync(index, after);
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');
  const sw = readFileSync(join(to, 'sw.js'), 'utf8');
  const revised = sw.replace(
    `{url:"index.html",revision:"${md5(before)}"}`,
    `{url:"index.html",revision:"${md5(after)}"}`,
  );
  if (revised === sw) throw new Error('sw.js: no precache entry for index.html with its MD5');
  writeFileSync(join(to, 'sw.js'), revised);
  return md5(after);
}

/** The revisions of index.html in Workbox's precache, and whether a worker is still on its way. */
function precachedIndexRevisions(page: Page) {
  return page.evaluate(async () => {
    const revisions: string[] = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) {
        const url = new URL(request.url);
        if (url.pathname === '/index.html') revisions.push(url.searchParams.get('__WB_REVISION__') ?? '');
      }
    }
    const registration = await navigator.serviceWorker.getRegistration();
    return { revisions, pending: Boolean(registration?.installing || registration?.waiting) };
  });
}

describe.skipIf(!hasChromium)('a new deploy', () => {
  test(
    'is picked up on the next visit: the visit after a deploy updates the service worker, the one after runs build B',
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'todo-pwa-builds-'));
      const [buildA, buildB] = [join(root, 'a'), join(root, 'b')];
      const revisions = { A: deriveBuild(WEB_DIST, buildA, 'A'), B: deriveBuild(WEB_DIST, buildB, 'B') };
      const port = await freePort();
      const browser = await chromium.launch({
        executablePath: chromiumLookup.found ? chromiumLookup.path : '',
        headless: true,
        args: ['--headless', ...FLAGS],
      });
      let server = await serveBuild(buildA, port);
      try {
        const context = await browser.newContext({ baseURL: server.url });
        const page = await context.newPage();
        const problems = watchConsole(page);
        const build = () => page.locator('meta[name="todos-build"]').getAttribute('content');

        await page.goto('/');
        expect(await build()).toBe('A');
        await controlledBySw(page);

        await server.close(500);
        server = await serveBuild(buildB, port);

        // The next visit is answered at once from the precache (A), and the browser finds the new
        // sw.js: the new worker installs build B, takes over and drops A's cache.
        const second = await page.goto('/');
        expect(second?.fromServiceWorker()).toBe(true);
        expect(await build()).toBe('A');
        // Installing precaches the whole new build (a while, on a busy machine). Watched in the
        // page's CacheStorage, never through the service worker: Chrome defers the update check
        // it schedules after a navigation for as long as the worker keeps handling fetches.
        await expect
          .poll(() => precachedIndexRevisions(page), { timeout: 60_000 })
          .toEqual({ revisions: [revisions.B], pending: false });

        const third = await page.goto('/');
        expect(third?.fromServiceWorker()).toBe(true);
        expect(await build()).toBe('B');
        expect(revisions.A).not.toBe(revisions.B);
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
        await server.close(500);
        rmSync(root, { recursive: true, force: true });
      }
    },
    SERVER_STARTS,
  );
});
