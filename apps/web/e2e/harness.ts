// Shared by the browser tests: a real server on a free port (built web app, real database) and
// Debian's Chromium driven by playwright-core.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, defaultTestDriver, type TestDatabase } from '@todo/db/testing';
import { loadConfig, startServer } from '@todo/server';
import { CHROMIUM_FLAGS, findChromium } from '@todo/server/testing-chromium';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

/** CHROMIUM_PATH, else /usr/bin/chromium (see @todo/server/testing-chromium); global-setup reports a missing one. */
export const chromiumLookup = findChromium(process.env, existsSync);
export const hasChromium = chromiumLookup.found;
export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const WEB_DIST = fileURLToPath(new URL('../dist/', import.meta.url));

export type Driver = 'pglite' | 'pg';
/** PGlite always; PostgreSQL too when TEST_DATABASE_URL names a server. */
export const drivers: Driver[] = process.env.TEST_DATABASE_URL ? ['pglite', 'pg'] : ['pglite'];

export type App = { url: string; close(): Promise<void> };

/** Environment variables for the server that differ from a test's defaults (e.g. MAIL_DIR). */
export type AppEnv = Record<string, string | undefined>;

/** The production server's configuration for tests: a free port, in-memory PGlite by default. */
function appConfig(env: AppEnv = {}) {
  return loadConfig({
    ...process.env,
    DATABASE_URL: undefined,
    DATABASE_DRIVER: undefined,
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    PGLITE_DIR: 'memory',
    BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
    AUTH_RATE_LIMIT_PER_MINUTE: '0',
    LOG_REQUESTS: 'false',
    WEB_DIST,
    ...env,
  });
}

/**
 * The production server, in this process, on a free port, with a fresh database: PostgreSQL
 * when TEST_DATABASE_URL gives one, else PGlite from the migrated snapshot that the run's
 * globalSetup made (`defaultTestDriver`). Files about the database run on `drivers`.
 */
export async function startApp(
  driver: Driver = defaultTestDriver,
  env: AppEnv = {},
  /** A database of the test's own (e.g. behind a fault proxy); disposed with the app. */
  given?: TestDatabase,
): Promise<App> {
  const config = appConfig(env);
  const database = given ?? (await createTestDatabase(driver));
  // The server closes what it is given; the throwaway database is dropped by `dispose` instead.
  const running = await startServer(config, { ...database, close: async () => {} });
  return {
    url: running.url,
    async close() {
      await running.close();
      await database.dispose();
    },
  };
}

export type RestartableApp = App & { stop(): Promise<void>; start(): Promise<void> };

/**
 * Like `startApp`, but the server can be stopped (which cuts its event streams) and started
 * again on the same port, with the same database and secret, so sessions survive.
 */
export async function startRestartableApp(driver: Driver = defaultTestDriver): Promise<RestartableApp> {
  const database = await createTestDatabase(driver);
  const kept = { ...database, close: async () => {} };
  const first = appConfig();
  let running: Awaited<ReturnType<typeof startServer>> | null = await startServer(first, kept);
  const url = running.url;
  const port = Number(new URL(url).port);
  const samePort = {
    ...first,
    port,
    publicUrl: first.publicUrl.replace(/:0$/, `:${port}`),
    trustedOrigins: first.trustedOrigins.map((origin) => origin.replace(/:0$/, `:${port}`)),
  };
  const stop = async () => {
    await running?.close();
    running = null;
  };
  return {
    url,
    stop,
    async start() {
      running ??= await startServer(samePort, kept);
    },
    async close() {
      await stop();
      await database.dispose();
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  if (!chromiumLookup.found) throw new Error(chromiumLookup.message);
  const executablePath = chromiumLookup.path;
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
}

/**
 * Starts the app (on `driver`) and a browser before a describe block's tests, hands both to
 * `use`, and closes them after the tests.
 *
 * @example
 * let app: App;
 * let browser: Browser;
 * withAppAndBrowser('pglite', (started, launched) => { app = started; browser = launched; });
 * // `env` overrides the server's environment, e.g. { MAIL_DIR: dir } for the account mail.
 */
export function withAppAndBrowser(
  driver: Driver,
  use: (app: App, browser: Browser) => void,
  env: AppEnv = {},
) {
  let app: App | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(driver, env), launchBrowser()]);
    use(app, browser);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
}

/**
 * A folder for this test file's account mail, removed after the file, and the server's
 * environment that writes it there: not production, no MAIL_URL, MAIL_DIR set (one .eml a mail).
 *
 * @example
 * const mail = mailFolder('sharing');
 * withAppAndBrowser('pglite', (started, launched) => { … }, mail.env);
 */
export function mailFolder(name: string): { dir: string; env: AppEnv } {
  const dir = mkdtempSync(join(tmpdir(), `todo-web-${name}-mail-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, env: { NODE_ENV: 'test', MAIL_DIR: dir } };
}

export type Scheme = 'light' | 'dark';

/** A context at 900 × 760; `timezoneId` (e.g. 'Europe/Berlin') is the zone its pages live in. */
export function newContext(browser: Browser, app: App, colorScheme: Scheme = 'light', timezoneId?: string) {
  return browser.newContext({
    baseURL: app.url,
    colorScheme,
    viewport: { width: 900, height: 760 },
    timezoneId,
  });
}

/**
 * Console errors and uncaught exceptions of a page, CSP violations included. `allow` lists
 * messages a test provokes on purpose (a refused request logs a failed resource load).
 */
export function watchConsole(page: Page, allow: RegExp[] = []): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (!allow.some((pattern) => pattern.test(text))) problems.push(text);
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

export type Account = { name: string; email: string; password: string };

export function newAccount(name = 'Test User'): Account {
  return { name, email: `user-${randomBytes(6).toString('hex')}@example.com`, password: 'correct-horse-42' };
}

/** Signs an account up through the API, as the sign-up form would; the context keeps the cookie. */
export async function signUpThroughApi(context: BrowserContext, app: App, account: Account) {
  const response = await context.request.post('/api/auth/sign-up/email', {
    data: account,
    headers: { origin: app.url },
  });
  if (!response.ok()) throw new Error(`sign-up failed: ${response.status()} ${await response.text()}`);
}

export type UserPage = { context: BrowserContext; page: Page; account: Account; problems: string[] };

/** A fresh context with a new signed-in account, its todo screen open on `path`. */
export async function openAsNewUser(
  browser: Browser,
  app: App,
  options: {
    scheme?: Scheme;
    path?: string;
    name?: string;
    allow?: RegExp[];
    /** The browser's time zone, e.g. 'Europe/Berlin' (default: the machine's). */
    timezoneId?: string;
    /** A fixed time for the page's clock (`Date`); timers keep running. */
    now?: Date;
  } = {},
): Promise<UserPage> {
  const context = await newContext(browser, app, options.scheme, options.timezoneId);
  const account = newAccount(options.name);
  await signUpThroughApi(context, app, account);
  const page = await context.newPage();
  if (options.now) await page.clock.setFixedTime(options.now);
  const problems = watchConsole(page, options.allow);
  await page.goto(options.path ?? '/');
  await page.locator('.new-todo').waitFor();
  return { context, page, account, problems };
}

export async function addTodos(page: Page, ...titles: string[]) {
  const input = page.locator('.new-todo');
  for (const title of titles) {
    await input.fill(title);
    await input.press('Enter');
  }
}

/** The titles shown, in order (todos outside the filter are not rendered). */
export function shownTitles(page: Page): Promise<string[]> {
  return page.locator('.todo-list li label').allTextContents();
}

export async function expectTitles(page: Page, titles: string[]) {
  await expect.poll(() => shownTitles(page)).toEqual(titles);
}

/** Waits until every write has reached the server and the list was read back from it. */
export async function settled(page: Page) {
  // The attribute follows TanStack Query's batched notifications, a tick after the action.
  await page.waitForTimeout(100);
  await page.locator('.todoapp[data-sync="idle"]').waitFor();
}

/**
 * Waits until the page's live stream is open. The code it needs (live-sync, live-link) is
 * fetched after the first paint, so this is also when the page's first load is over.
 */
export async function liveStreamOpen(page: Page, options: { timeout?: number } = {}) {
  await page.locator('.connection[data-connection="live"]').waitFor({ state: 'attached', ...options });
}

/** Whether something is displayed in TODOMVC.md's sense: rendered, not display:none,
 * visibility:hidden or zero-sized (opacity 0 still counts as displayed). */
export async function displayed(page: Page, selector: string): Promise<boolean> {
  const locator = page.locator(selector);
  return (await locator.count()) > 0 && (await locator.first().isVisible());
}

export async function counterText(page: Page): Promise<string> {
  return ((await page.locator('.todo-count').textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

export type NewTodo = {
  title: string;
  description?: string;
  dueAt?: string | null;
  priority?: 'none' | 'low' | 'medium' | 'high';
};

/** Creates todos through the API from inside the page (same cookie), faster than typing. */
export async function createThroughApi(page: Page, todos: (string | NewTodo)[]) {
  const inputs = todos.map((item) => (typeof item === 'string' ? { title: item } : item));
  await page.evaluate(async (list) => {
    for (const input of list) {
      const response = await fetch('/api/trpc/todo.create', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      if (!response.ok) throw new Error(`create failed: ${response.status}`);
    }
  }, inputs);
}

export function todo(page: Page, title: string) {
  return page.locator('.todo-list li').filter({ has: page.getByText(title, { exact: true }) });
}

/**
 * What this browser keeps in IndexedDB for offline use (offline/offline-cache.ts, idb-keyval's
 * default store): how many writes wait, and how many of those have had their optimistic update
 * applied (a context), read straight from the database.
 */
export function savedWrites(page: Page): Promise<{ waiting: number; applied: number } | null> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('keyval-store');
        open.onupgradeneeded = () => open.result.createObjectStore('keyval');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const read = db.transaction('keyval', 'readonly').objectStore('keyval').get('todos-offline');
          read.onerror = () => reject(read.error);
          read.onsuccess = () => {
            db.close();
            const mutations: { state: { context?: unknown } }[] | undefined = read.result?.mutations;
            resolve(
              mutations
                ? {
                    waiting: mutations.length,
                    applied: mutations.filter((mutation) => mutation.state.context !== undefined).length,
                  }
                : null,
            );
          };
        };
      }),
  );
}

/** Signs `account` in within `context` through the API, as the app's own origin would. */
export async function signInThroughApi(context: BrowserContext, app: App, account: Account) {
  const response = await context.request.post('/api/auth/sign-in/email', {
    data: { email: account.email, password: account.password },
    headers: { origin: app.url },
  });
  if (!response.ok()) throw new Error(`sign-in failed: ${response.status()} ${await response.text()}`);
}

// One toolkit for every package's tests: the server's (apps/server/src/testing.ts).
export { freePort } from '@todo/server/testing';
