// Offline (issue 11): the list opens without a network, changes made offline are shown at once,
// kept across a reload and sent in the order made when the network is back; the server, and a
// second browser, then show exactly those changes. Two browsers editing one todo while one is
// offline: the last writer wins per field, and a queued change to a todo deleted elsewhere is
// dropped with a notice.
//
// Over 400 lines, kept together: one server and browser serve every offline case; split, each
// file would start its own.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, onTestFailed, test } from 'vitest';
import {
  type Account,
  type App,
  addTodos,
  counterText,
  createThroughApi,
  drivers,
  expectTitles,
  hasChromium,
  liveStreamOpen,
  newAccount,
  newContext,
  openAsNewUser,
  savedWrites,
  settled,
  shownTitles,
  signInThroughApi,
  signUpThroughApi,
  todo,
  watchConsole,
  withAppAndBrowser,
} from './harness.ts';

/** A few round trips, a reload and a second browser, on two cores shared with another file. */
const LONG_MS = 90_000;
/**
 * The longest any one step may wait (Playwright's default is 30 s): a step that hangs then fails
 * naming itself, well inside the test's time, instead of the test timing out with no clue.
 */
const STEP_MS = 15_000;
/** What Chromium logs for requests made while it is offline. */
const OFFLINE_NOISE = [/ERR_INTERNET_DISCONNECTED/, /Failed to load resource/];

type SavedTodo = { title: string; completed: boolean; priority: string };

/** Runs `work` on idb-keyval's default store, as another tab of the app would see it. */
function onStore<T>(page: Page, work: string, key?: string, value?: unknown): Promise<T> {
  return page.evaluate(
    ({ work, key, value }) =>
      new Promise<T>((resolve, reject) => {
        const open = indexedDB.open('keyval-store');
        open.onupgradeneeded = () => open.result.createObjectStore('keyval');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const store = db.transaction('keyval', 'readwrite').objectStore('keyval');
          const request = work === 'put' ? store.put(value, key) : store.getAllKeys();
          request.onerror = () => reject(request.error);
          request.onsuccess = () => {
            db.close();
            resolve(request.result as T);
          };
        };
      }),
    { work, key, value },
  );
}

/** The keys of the cache's parts (offline/offline-parts.ts) in this browser. */
const partKeys = async (page: Page) =>
  (await onStore<IDBValidKey[]>(page, 'keys')).filter(
    (key): key is string => typeof key === 'string' && key.startsWith('todos-offline/'),
  );

/** Waits until `count` writes are stored in IndexedDB, each with its change applied. */
async function writesStored(page: Page, count: number) {
  await expect.poll(() => savedWrites(page)).toEqual({ waiting: count, applied: count });
}

/** The account's todos as the server has them, in manual order (through the API, same cookie). */
async function serverTodos(context: BrowserContext): Promise<SavedTodo[]> {
  const input = encodeURIComponent(JSON.stringify({ order: 'manual', limit: 100 }));
  const url = `/api/trpc/todo.list?input=${input}`;
  // A GET may go out on a kept-alive socket just as the server closes it for idleness (its 5 s
  // keep-alive timeout): a reset then says nothing about the app, and a GET is safe to repeat.
  const response = await context.request.get(url).catch((error: Error) => {
    if (!error.message.includes('ECONNRESET')) throw error;
    return context.request.get(url);
  });
  expect(response.ok()).toBe(true);
  const body = (await response.json()) as { result: { data: { items: SavedTodo[] } } };
  return body.result.data.items.map(({ title, completed, priority }) => ({ title, completed, priority }));
}

/** Titles and completed states on screen, in order. */
function shownTodos(page: Page): Promise<{ title: string; completed: boolean }[]> {
  return page.locator('.todo-list > li').evaluateAll((items) =>
    items.map((li) => ({
      title: li.querySelector('label')?.textContent ?? '',
      completed: li.classList.contains('completed'),
    })),
  );
}

const status = (page: Page) => page.locator('.connection');

/** The same account in a second browser (its own cookie jar and storage), on its todo list. */
async function secondBrowser(browser: Browser, app: App, account: Account) {
  const context = await newContext(browser, app);
  await signInThroughApi(context, app, account);
  const page = await context.newPage();
  explainFailures(page, 'the second browser');
  const problems = watchConsole(page, OFFLINE_NOISE);
  await page.goto('/');
  await page.locator('.new-todo').waitFor();
  await liveStreamOpen(page);
  return { context, page, problems };
}

/**
 * The page's service worker controls it, so the shell loads without a network. The worker
 * claims the page when it activates (clientsClaim), after precaching: on two busy cores that can
 * take a while, so this waits for the claim itself (controllerchange), up to STEP_MS, and says
 * what the registration was doing when it gives up.
 */
async function shellCached(page: Page) {
  const state = await page.evaluate(async (ms) => {
    const container = navigator.serviceWorker;
    const claimed = (async () => {
      await container.ready;
      if (!container.controller) {
        await new Promise((resolve) =>
          container.addEventListener('controllerchange', resolve, { once: true }),
        );
      }
    })();
    await Promise.race([claimed, new Promise((resolve) => setTimeout(resolve, ms))]);
    if (container.controller) return 'controlled';
    const registration = await container.getRegistration();
    const worker = (name: string, sw: ServiceWorker | null | undefined) =>
      `${name} ${sw ? sw.state : 'none'}`;
    return registration
      ? `not controlled: ${worker('installing', registration.installing)}, ${worker('waiting', registration.waiting)}, ${worker('active', registration.active)}`
      : 'not controlled: no registration';
  }, STEP_MS);
  expect(state).toBe('controlled');
}

/**
 * The page's steps wait at most STEP_MS, and a failed test prints what it showed at that moment,
 * under `name`: a failure on a busy CI machine then says where the app was, not only that time
 * ran out.
 */
function explainFailures(page: Page, name: string) {
  page.context().setDefaultTimeout(STEP_MS);
  onTestFailed(async () => {
    if (page.isClosed()) return;
    const shown = await within(
      page.evaluate(() => ({
        url: location.pathname,
        online: navigator.onLine,
        sync: document.querySelector('.todoapp')?.getAttribute('data-sync') ?? null,
        connection: document.querySelector('.connection')?.getAttribute('data-connection') ?? null,
        status: document.querySelector('.connection')?.textContent ?? null,
        todos: [...document.querySelectorAll('.todo-list > li')].map((li) => li.textContent),
        text: (document.body.textContent ?? '').slice(0, 300),
      })),
    );
    const writes = await within(savedWrites(page));
    console.error(`${name} at failure:`, JSON.stringify({ shown, writes }, null, 2));
  });
}

/** What `work` gave within 5 s, or why not: a failure report must not hang on the page it describes. */
async function within<T>(work: Promise<T>): Promise<T | string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('no answer in 5 s'), 5_000);
  });
  try {
    return await Promise.race([work.catch((error: Error) => error.message), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes the test's browser contexts, waiting at most 5 s for each. Chromium has been seen
 * never to answer the disposal of a context that ran a service worker (puppeteer#11627); the
 * browser itself is closed after the file, and a close that does not finish is reported.
 */
async function closeContexts(...contexts: BrowserContext[]) {
  for (const context of contexts) {
    const closed = await within(context.close().then(() => 'closed'));
    if (closed !== 'closed') console.error(`a browser context did not close: ${closed}`);
  }
}

async function rename(page: Page, from: string, to: string) {
  await todo(page, from).locator('label').dblclick();
  await page.locator('.todo-list li .edit').fill(to);
  await page.locator('.todo-list li .edit').press('Enter');
}

/** A new account with `titles`, its list open, live, its shell cached and dnd-kit loaded. */
async function openWith(browser: Browser, app: App, titles: string[]) {
  const user = await openAsNewUser(browser, app, { name: 'Ada Lovelace', allow: OFFLINE_NOISE });
  explainFailures(user.page, 'the first browser');
  // The worker installs on this first visit. A reload before it has claimed the page can be
  // sent with no active worker and come back after the claim, left uncontrolled until the next
  // navigation ('not controlled: … active activated'); so the reload waits for the claim.
  await shellCached(user.page);
  await createThroughApi(user.page, titles);
  await user.page.reload();
  await expectTitles(user.page, titles);
  await user.page.locator('.todo-list[data-reorder="drag"]').waitFor();
  await liveStreamOpen(user.page);
  await shellCached(user.page);
  return user;
}

describe.skipIf(!hasChromium).each(drivers)('offline (%s)', (driver) => {
  let app: App;
  let browser: Browser;

  withAppAndBrowser(driver, (started, launched) => {
    app = started;
    browser = launched;
  });

  test(
    'changes made offline show at once, survive a reload offline and reach the server in order',
    async () => {
      const { context, page, account, problems } = await openWith(browser, app, [
        'Alpha',
        'Bravo',
        'Charlie',
        'Delta',
      ]);

      await context.setOffline(true);
      await status(page).locator('text=Offline').waitFor();

      // Seven writes, each on screen at once: add, edit (title), complete, delete, move, an edit
      // of the todo added offline, and its details.
      await addTodos(page, 'Echo');
      await expectTitles(page, ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']);
      await rename(page, 'Bravo', 'Bravo, edited');
      await todo(page, 'Alpha').locator('.toggle').click();
      await todo(page, 'Charlie').locator('.destroy').click();
      await expectTitles(page, ['Alpha', 'Bravo, edited', 'Delta', 'Echo']);
      await todo(page, 'Echo').locator('.reorder-handle').focus();
      await page.keyboard.press('Alt+ArrowUp');
      await expectTitles(page, ['Alpha', 'Bravo, edited', 'Echo', 'Delta']);
      await rename(page, 'Echo', 'Echo, renamed');
      await page.getByRole('button', { name: 'Details of “Echo, renamed”', exact: true }).click();
      const panel = page.getByRole('form', { name: 'Details of “Echo, renamed”' });
      await panel.getByLabel('Priority').selectOption('high');
      await panel.getByRole('button', { name: 'Save' }).click();
      await panel.waitFor({ state: 'detached' });

      const expected = [
        { title: 'Alpha', completed: true },
        { title: 'Bravo, edited', completed: false },
        { title: 'Echo, renamed', completed: false },
        { title: 'Delta', completed: false },
      ];
      expect(await shownTodos(page)).toEqual(expected);
      expect(await counterText(page)).toBe('3 items left');
      await expect.poll(() => status(page).textContent()).toBe('Offline: 7 changes waiting');
      expect(await status(page).getAttribute('role')).toBe('status');
      // Nothing blocks the list meanwhile.
      expect(await page.locator('.new-todo').isEditable()).toBe(true);
      // The server has none of it yet.
      expect((await serverTodos(context)).map((saved) => saved.title)).toEqual([
        'Alpha',
        'Bravo',
        'Charlie',
        'Delta',
      ]);

      // Still offline: a reload shows the list as it was left, the writes still waiting.
      await writesStored(page, 7);
      await page.reload();
      await expect.poll(() => shownTodos(page)).toEqual(expected);
      expect(await counterText(page)).toBe('3 items left');
      await expect.poll(() => status(page).textContent()).toBe('Offline: 7 changes waiting');
      expect(await todo(page, 'Echo, renamed').getByRole('img', { name: 'High priority' }).count()).toBe(1);

      // Back online: the writes go out in order, then the list is read again.
      await context.setOffline(false);
      await expect.poll(() => status(page).textContent(), { timeout: 15_000 }).toBe('Synced');
      await settled(page);
      expect(await shownTodos(page)).toEqual(expected);
      expect(await serverTodos(context)).toEqual([
        { title: 'Alpha', completed: true, priority: 'none' },
        { title: 'Bravo, edited', completed: false, priority: 'none' },
        { title: 'Echo, renamed', completed: false, priority: 'high' },
        { title: 'Delta', completed: false, priority: 'none' },
      ]);
      await expect.poll(() => savedWrites(page)).toEqual({ waiting: 0, applied: 0 });
      // "Synced" goes away by itself.
      await expect.poll(() => status(page).textContent(), { timeout: 8_000 }).toBe('');

      // Another browser shows exactly those changes.
      const other = await secondBrowser(browser, app, account);
      await expect.poll(() => shownTodos(other.page)).toEqual(expected);
      expect(other.problems).toEqual([]);
      expect(problems).toEqual([]);
      await closeContexts(other.context, context);
    },
    LONG_MS,
  );

  test(
    'two browsers, one offline: the last writer wins per field; a change to a todo deleted elsewhere is dropped with a notice',
    async () => {
      const a = await openWith(browser, app, ['Shared', 'Doomed', 'Kept']);
      const b = await secondBrowser(browser, app, a.account);
      await expectTitles(b.page, ['Shared', 'Doomed', 'Kept']);

      await a.context.setOffline(true);
      await status(a.page).locator('text=Offline').waitFor();
      // A, offline: a new title for Shared, and Doomed completed.
      await rename(a.page, 'Shared', 'Shared, title from A');
      await todo(a.page, 'Doomed').locator('.toggle').click();
      await expect.poll(() => status(a.page).textContent()).toBe('Offline: 2 changes waiting');

      // B, online and later in time: Shared completed under a title of its own; Doomed deleted.
      await rename(b.page, 'Shared', 'Shared, title from B');
      await todo(b.page, 'Shared, title from B').locator('.toggle').click();
      await todo(b.page, 'Doomed').locator('.destroy').click();
      await settled(b.page);
      expect(await serverTodos(b.context)).toEqual([
        { title: 'Shared, title from B', completed: true, priority: 'none' },
        { title: 'Kept', completed: false, priority: 'none' },
      ]);

      // A reconnects: its title arrives last and wins; B's completed stays (A did not change it);
      // A's change to Doomed is dropped, with a notice, and Doomed stays deleted.
      await a.context.setOffline(false);
      const notice = a.page.locator('[role="alert"]');
      await notice.waitFor({ timeout: 15_000 });
      expect(await notice.textContent()).toContain(
        '“Doomed” was deleted on another device; your change to it was dropped.',
      );
      await settled(a.page);
      const expected = [
        { title: 'Shared, title from A', completed: true },
        { title: 'Kept', completed: false },
      ];
      await expect.poll(() => shownTodos(a.page)).toEqual(expected);
      expect(await serverTodos(a.context)).toEqual([
        { title: 'Shared, title from A', completed: true, priority: 'none' },
        { title: 'Kept', completed: false, priority: 'none' },
      ]);
      await expect.poll(() => shownTodos(b.page)).toEqual(expected);
      expect(a.problems).toEqual([]);
      expect(b.problems).toEqual([]);
      await closeContexts(b.context, a.context);
    },
    LONG_MS,
  );

  test(
    'the server unreachable while the browser thinks it is online: writes wait, survive a reload and are sent when it answers',
    async () => {
      // No service worker here: the page's own requests are the ones refused.
      const context = await browser.newContext({
        baseURL: app.url,
        viewport: { width: 900, height: 760 },
        serviceWorkers: 'block',
      });
      await signUpThroughApi(context, app, newAccount('Ada Lovelace'));
      const page = await context.newPage();
      explainFailures(page, 'the page');
      await page.goto('/');
      await page.locator('.new-todo').waitFor();
      await addTodos(page, 'Kept');
      await settled(page);

      await page.route('**/api/**', (route) => route.abort());
      await addTodos(page, 'Added unanswered');
      await todo(page, 'Kept').locator('.toggle').click();
      await writesStored(page, 2);
      await page.reload();
      await expect
        .poll(() => shownTodos(page))
        .toEqual([
          { title: 'Kept', completed: true },
          { title: 'Added unanswered', completed: false },
        ]);
      await expect.poll(() => status(page).textContent()).toBe('Offline: 2 changes waiting');

      // The server answers again: the writes are sent by themselves (retried with a backoff).
      await page.unroute('**/api/**');
      await expect
        .poll(() => serverTodos(context), { timeout: 30_000 })
        .toEqual([
          { title: 'Kept', completed: true, priority: 'none' },
          { title: 'Added unanswered', completed: false, priority: 'none' },
        ]);
      await expect.poll(() => savedWrites(page), { timeout: 15_000 }).toEqual({ waiting: 0, applied: 0 });
      await closeContexts(context);
    },
    LONG_MS,
  );

  test("a save leaves another tab's new parts alone, deletes old strays, and sign-out deletes all", async () => {
    const { context, page } = await openAsNewUser(browser, app, { name: 'Two Tabs' });
    explainFailures(page, 'the page');
    await addTodos(page, 'First');
    await settled(page);
    await expect.poll(async () => (await partKeys(page)).length).toBeGreaterThan(0);

    // What another tab leaves: parts it has just written for a manifest it is about to write, a
    // part of a save it gave up an hour ago, and one of the layout before parts had times.
    const part = (ago: number, n: number) => `todos-offline/t${(Date.now() - ago).toString(36)}.other.${n}`;
    const fresh = part(0, 0);
    const stale = part(3_600_000, 1);
    const legacy = 'todos-offline/mjz0abcd-0';
    for (const key of [fresh, stale, legacy]) await onStore(page, 'put', key, { pages: [], pageParams: [] });

    // This tab saves (and prunes) after its next change.
    await addTodos(page, 'Second');
    await settled(page);
    await expect
      .poll(async () => (await partKeys(page)).filter((key) => key === stale || key === legacy))
      .toEqual([]);
    expect(await partKeys(page)).toContain(fresh);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email', { exact: true }).waitFor();
    await expect.poll(() => partKeys(page)).toEqual([]);
    await closeContexts(context);
  });

  test('another account in the same browser never sees what was kept; sign-out deletes it', async () => {
    const { context, page } = await openAsNewUser(browser, app, { name: 'Ada Lovelace' });
    explainFailures(page, 'the page');
    await addTodos(page, 'Private');
    await settled(page);
    await expect.poll(() => savedWrites(page)).toEqual({ waiting: 0, applied: 0 });

    // Another account's session in this browser (its cookie replaces Ada's): its own empty list.
    await signUpThroughApi(context, app, newAccount('Grace Hopper'));
    await page.reload();
    await page.locator('.new-todo').waitFor();
    await settled(page);
    expect(await page.locator('.topbar-user strong').textContent()).toBe('Grace Hopper');
    expect(await shownTitles(page)).toEqual([]);
    // And what is kept now is Grace's: offline, the reload shows her empty list, not Ada's.
    await expect.poll(() => savedWrites(page)).toEqual({ waiting: 0, applied: 0 });
    await page.route('**/api/**', (route) => route.abort());
    await page.reload();
    await page.locator('.new-todo').waitFor();
    await status(page).locator('text=Offline').waitFor();
    expect(await page.locator('.topbar-user strong').textContent()).toBe('Grace Hopper');
    expect(await shownTitles(page)).toEqual([]);
    await page.unroute('**/api/**');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email', { exact: true }).waitFor();
    await expect.poll(() => savedWrites(page)).toBeNull();
    await closeContexts(context);
  });
});
