// Live sync (issue 10): a change in one browser reaches the same user's other browser within a
// second, without a reload; another user's browser receives nothing; the connection status
// says when the stream is lost and when it is back.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  type App,
  addTodos,
  counterText,
  drivers,
  hasChromium,
  launchBrowser,
  liveStreamOpen,
  newAccount,
  newContext,
  openAsNewUser,
  type RestartableApp,
  settled,
  shownTitles,
  signInThroughApi,
  signUpThroughApi,
  startRestartableApp,
  todo,
  watchConsole,
  withAppAndBrowser,
} from './harness.ts';

/**
 * How long a change may take to show in the other browser here. The contract promises a second
 * (Realtime), and `pnpm bench` measures it (event p50/p99 across processes, docs/performance.md); a browser
 * test on two shared cores, beside another file's server and Chromium, cannot time that
 * reliably (one CI run saw a change take longer while the machine was saturated). These tests
 * check that a change arrives by itself, without a reload, and in what form.
 */
const LIVE_MS = 5_000;

type Snapshot = { title: string; completed: boolean }[];

declare global {
  interface Window {
    /** Every state of the list the page has shown, recorded by `recordList`. */
    listHistory?: Snapshot[];
  }
}

/** Records every state the list passes through, so a brief flicker or double cannot hide. */
async function recordList(page: Page) {
  await page.evaluate(() => {
    window.listHistory = [];
    const record = () => {
      const items = [...document.querySelectorAll('.todo-list li')].map((li) => ({
        title: li.querySelector('label')?.textContent ?? '',
        completed: li.classList.contains('completed'),
      }));
      const last = window.listHistory?.at(-1);
      if (JSON.stringify(last) !== JSON.stringify(items)) window.listHistory?.push(items);
    };
    record();
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
  });
}

function listHistory(page: Page): Promise<Snapshot[]> {
  return page.evaluate(() => window.listHistory ?? []);
}

/** Two browser contexts of one new account, each with a session of its own. */
async function twoSessions(
  browser: Browser,
  app: App,
  name: string,
): Promise<[BrowserContext, BrowserContext]> {
  const account = newAccount(name);
  const first = await newContext(browser, app);
  await signUpThroughApi(first, app, account);
  const second = await newContext(browser, app);
  await signInThroughApi(second, app, account);
  return [first, second];
}

/** Opens the todo screen and waits until its live stream is connected. */
async function openLive(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto('/');
  await page.locator('.new-todo').waitFor();
  await liveStreamOpen(page);
  return { page, problems };
}

/** Waits, for at most LIVE_MS from now, until `read` gives `expected`. */
async function arrives<T>(read: () => Promise<T>, expected: T) {
  await expect.poll(read, { timeout: LIVE_MS, interval: 25 }).toEqual(expected);
}

const completedFlags = (page: Page) =>
  page.locator('.todo-list li').evaluateAll((items) => items.map((li) => li.classList.contains('completed')));

describe.skipIf(!hasChromium).each(drivers)('live sync (%s)', (driver) => {
  let app: App;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  withAppAndBrowser(driver, (started, launched) => {
    app = started;
    browser = launched;
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  /** Two browsers (separate sessions) of one new user, and a third of another user. */
  async function openTwoAndAStranger() {
    const [first, second] = await twoSessions(browser, app, 'Grace Hopper');
    contexts.push(first, second);
    const stranger = await openAsNewUser(browser, app, { name: 'Someone Else' });
    contexts.push(stranger.context);
    await liveStreamOpen(stranger.page);
    const [a, b] = await Promise.all([openLive(first), openLive(second)]);
    return { a, b, stranger, second };
  }

  test('each change in one browser shows in the other by itself; a stranger sees none', async () => {
    const { a, b, stranger } = await openTwoAndAStranger();
    await Promise.all([recordList(a.page), recordList(b.page), recordList(stranger.page)]);

    // Add
    await addTodos(a.page, 'Buy milk');
    await arrives(() => shownTitles(b.page), ['Buy milk']);
    await addTodos(a.page, 'Walk the dog', 'Pay rent');
    await arrives(() => shownTitles(b.page), ['Buy milk', 'Walk the dog', 'Pay rent']);
    await arrives(() => counterText(b.page), '3 items left');

    // Edit
    await todo(a.page, 'Buy milk').locator('label').dblclick();
    await a.page.locator('.todo-list li .edit').fill('Buy oat milk');
    await a.page.locator('.todo-list li .edit').press('Enter');
    await arrives(() => shownTitles(b.page), ['Buy oat milk', 'Walk the dog', 'Pay rent']);

    // Complete
    await todo(a.page, 'Walk the dog').locator('.toggle').click();
    await arrives(() => completedFlags(b.page), [false, true, false]);
    await arrives(() => counterText(b.page), '2 items left');

    // Delete
    await todo(a.page, 'Pay rent').hover();
    await todo(a.page, 'Pay rent').locator('.destroy').click();
    await arrives(() => shownTitles(b.page), ['Buy oat milk', 'Walk the dog']);

    // Clear completed (one bulk change: a reset, then a refetch)
    await a.page.locator('.clear-completed').click();
    await arrives(() => shownTitles(b.page), ['Buy oat milk']);
    await arrives(() => counterText(b.page), '1 item left');

    // And the other way round, under a filter: B completes, A's Active view drops it.
    await a.page.goto('/#/active');
    await liveStreamOpen(a.page);
    await recordList(a.page);
    await todo(b.page, 'Buy oat milk').locator('.toggle').click();
    await arrives(() => shownTitles(a.page), []);
    await arrives(() => counterText(a.page), '0 items left');
    await addTodos(b.page, 'Call mum');
    await arrives(() => shownTitles(a.page), ['Call mum']);

    // Neither list ever showed a todo twice.
    for (const snapshot of [...(await listHistory(a.page)), ...(await listHistory(b.page))]) {
      const titles = snapshot.map((item) => item.title);
      expect(new Set(titles).size, JSON.stringify(snapshot)).toBe(titles.length);
    }

    // The stranger's list stayed empty all along, and it still is after a reload.
    expect(await listHistory(stranger.page)).toEqual([[]]);
    await stranger.page.reload();
    await stranger.page.locator('.new-todo').waitFor();
    expect(await shownTitles(stranger.page)).toEqual([]);
    expect([...a.problems, ...b.problems, ...stranger.problems]).toEqual([]);
  });

  test('a change made while the page loads, before its stream opens, shows by itself', async () => {
    // A page asks for its stream and reads its lists at about the same moment, and the server
    // may answer a read before it opens the stream. Here the stream is held back until the list
    // has been read (or a second and a half, for a page that waits for its stream to read), and
    // another session of the same user adds a todo in between: neither the read nor the stream,
    // which starts after it, carries that todo, unless the page reads once the stream is open.
    const [reader, writer] = await twoSessions(browser, app, 'Ada Lovelace');
    contexts.push(reader, writer);
    const page = await reader.newPage();
    const problems = watchConsole(page);
    const listRead = page
      .waitForResponse((response) => response.url().includes('todo.list'), { timeout: 1_500 })
      .catch(() => undefined);
    let held = false;
    await page.route(/\/api\/trpc\/todo\.changes/, async (route) => {
      if (!held) {
        held = true;
        await listRead;
        const made = await writer.request.post('/api/trpc/todo.create', {
          data: { title: 'Made meanwhile' },
          headers: { origin: app.url },
        });
        expect(made.status()).toBe(200);
      }
      await route.continue();
    });
    await page.goto('/');
    await liveStreamOpen(page);
    await arrives(() => shownTitles(page), ['Made meanwhile']);
    expect(held).toBe(true);
    expect(problems).toEqual([]);
  });

  test("the writer's own quick changes neither double nor flicker", async () => {
    const { a, b } = await openTwoAndAStranger();
    await recordList(a.page);
    // The answers to A's writes come late, so every event reaches A while its write is still
    // under way (and before a new todo has its real id).
    await a.page.route(/\/api\/trpc\/todo\.(create|update)/, async (route) => {
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await route.fulfill({ response });
    });
    await addTodos(a.page, 'One', 'Two', 'Three');
    await todo(a.page, 'Two').locator('.toggle').click();
    await todo(a.page, 'Two').locator('.toggle').click();
    await todo(a.page, 'Three').locator('.toggle').click();
    await expect.poll(() => completedFlags(b.page)).toEqual([false, false, true]);
    expect(await shownTitles(b.page)).toEqual(['One', 'Two', 'Three']);
    await settled(a.page);
    const history = await listHistory(a.page);
    for (const snapshot of history) {
      const titles = snapshot.map((item) => item.title);
      expect(new Set(titles).size, JSON.stringify(snapshot)).toBe(titles.length);
    }
    // Two's completed state went false → true → false once, never back and forth again;
    // Three's went false → true once.
    const statesOf = (title: string) =>
      history
        .map((snapshot) => snapshot.find((item) => item.title === title)?.completed)
        .filter((state) => state !== undefined)
        .filter((state, index, all) => index === 0 || state !== all[index - 1]);
    expect(statesOf('Two')).toEqual([false, true, false]);
    expect(statesOf('Three')).toEqual([false, true]);
    expect(history.at(-1)?.map((item) => item.title)).toEqual(['One', 'Two', 'Three']);
  });

  test('the status says when the browser goes offline and when it is back', async () => {
    const { a, b, second } = await openTwoAndAStranger();
    const status = b.page.locator('.connection');
    expect(await status.textContent()).toBe('');
    expect(await status.getAttribute('role')).toBe('status');

    await second.setOffline(true);
    await expect.poll(() => status.textContent()).toBe('Offline — reconnecting…');
    await addTodos(a.page, 'Made while B was offline');
    await second.setOffline(false);
    await expect.poll(() => status.textContent()).toBe('Back online');
    await expect.poll(() => shownTitles(b.page)).toEqual(['Made while B was offline']);
    // It goes away by itself, and the stream is live.
    await expect.poll(() => status.textContent(), { timeout: 8_000 }).toBe('');
    await addTodos(a.page, 'After');
    await arrives(() => shownTitles(b.page), ['Made while B was offline', 'After']);
    expect(a.problems).toEqual([]);
  });
});

describe.skipIf(!hasChromium).each(drivers)('live sync across a server restart (%s)', (driver) => {
  let app: RestartableApp;
  let browser: Browser;
  beforeAll(async () => {
    [app, browser] = await Promise.all([startRestartableApp(driver), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  // A restart, a reconnect whose backoff may have reached 10 s and the status's own 4 s: the
  // waits alone can outlast the default 30 s on a busy machine.
  test('a cut stream shows the status, reconnects by itself and catches up', async () => {
    const [first, second] = await twoSessions(browser, app, 'Grace Hopper');
    const [a, b] = await Promise.all([openLive(first), openLive(second)]);
    await addTodos(a.page, 'Before');
    await arrives(() => shownTitles(b.page), ['Before']);

    await app.stop();
    const status = b.page.locator('.connection');
    await expect.poll(() => status.textContent()).toBe('Offline — reconnecting…');
    // Nothing is blocked meanwhile: the list can still be read and edited.
    expect(await b.page.locator('.new-todo').isEditable()).toBe(true);

    await app.start();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('Back online');
    await a.page.locator('.connection[data-connection="live"], .connection[data-connection="back"]').waitFor({
      state: 'attached',
      timeout: 15_000,
    });
    await addTodos(a.page, 'After the restart');
    await arrives(() => shownTitles(b.page), ['Before', 'After the restart']);
    await expect.poll(() => status.textContent(), { timeout: 8_000 }).toBe('');
    await Promise.all([first.close(), second.close()]);
  }, 60_000);
});
