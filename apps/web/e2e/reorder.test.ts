// Manual order (issue 13): drag a todo by its handle, or move it with Alt+↑/↓ on the handle; the
// order is saved (a reload and a second browser show it) and the move is announced. Reordering
// is offered only in the manual order without a search.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  type Account,
  type App,
  addTodos,
  createThroughApi,
  expectTitles,
  hasChromium,
  liveStreamOpen,
  newContext,
  openAsNewUser,
  SCREENSHOTS,
  type Scheme,
  settled,
  shownTitles,
  signInThroughApi,
  todo,
  withAppAndBrowser,
} from './harness.ts';

/** For the tests that take several round trips and a second browser, on a busy machine. */
const LONG_MS = 60_000;

const handle = (page: Page, title: string) => todo(page, title).locator('.reorder-handle');
const status = (page: Page) => page.locator('.reorder-status');

/** A new account with `titles` (in that order), its list open and dnd-kit loaded. */
async function openWith(browser: Browser, app: App, titles: string[], scheme: Scheme = 'light') {
  const user = await openAsNewUser(browser, app, { scheme, name: 'Ada Lovelace' });
  await createThroughApi(user.page, titles);
  await user.page.reload();
  await expectTitles(user.page, titles);
  await user.page.locator('.todo-list[data-reorder="drag"]').waitFor();
  return user;
}

/**
 * Presses the pointer on `title`'s handle and moves it, in small steps as a hand would, until the
 * dragged row's middle is over the middle of `target`'s row; `release: false` keeps holding it.
 */
async function drag(page: Page, title: string, target: string, { release = true } = {}) {
  const grip = await handle(page, title).boundingBox();
  const from = await todo(page, title).boundingBox();
  const to = await todo(page, target).boundingBox();
  if (!grip || !from || !to) throw new Error('not on screen');
  const x = grip.x + grip.width / 2;
  const y = grip.y + grip.height / 2;
  const dy = to.y + to.height / 2 - (from.y + from.height / 2);
  await page.mouse.move(x, y);
  await page.mouse.down();
  // Past dnd-kit's activation distance first, then the rest of the way.
  await page.mouse.move(x, y + Math.sign(dy) * 10, { steps: 4 });
  await page.mouse.move(x, y + dy, { steps: 12 });
  await page.waitForTimeout(150); // the other rows slide aside (CSS transition)
  if (release) await page.mouse.up();
}

declare global {
  interface Window {
    /** Every order the list has shown since `recordOrders`. */
    orderHistory?: string[][];
  }
}

/** Records every order the list passes through, so that a brief jump back cannot hide. */
async function recordOrders(page: Page) {
  await page.evaluate(() => {
    window.orderHistory = [];
    const record = () => {
      const titles = [...document.querySelectorAll('.todo-list li label')].map(
        (label) => label.textContent ?? '',
      );
      if (JSON.stringify(window.orderHistory?.at(-1)) !== JSON.stringify(titles))
        window.orderHistory?.push(titles);
    };
    record();
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
}

const orderHistory = (page: Page) => page.evaluate(() => window.orderHistory ?? []);

/** The same account in a second browser (its own cookie jar), on its todo list. */
async function secondBrowser(browser: Browser, app: App, account: Account) {
  const context = await newContext(browser, app);
  await signInThroughApi(context, app, account);
  const page = await context.newPage();
  await page.goto('/');
  await page.locator('.new-todo').waitFor();
  return { context, page };
}

describe.skipIf(!hasChromium)('reorder', () => {
  let app: App;
  let browser: Browser;

  withAppAndBrowser('pglite', (started, launched) => {
    app = started;
    browser = launched;
  });

  test(
    'by mouse: a dropped todo stays put, after a reload and in a second browser (live)',
    async () => {
      const { context, page, account, problems } = await openWith(browser, app, ['A', 'B', 'C', 'D']);
      const other = await secondBrowser(browser, app, account);
      await expectTitles(other.page, ['A', 'B', 'C', 'D']);
      await liveStreamOpen(other.page);

      await drag(page, 'A', 'C');
      // At once, before the server has answered, and it does not jump back after.
      expect(await shownTitles(page)).toEqual(['B', 'C', 'A', 'D']);
      await expect.poll(() => status(page).textContent()).toBe('Moved “A” to position 3 of 4');
      await settled(page);
      expect(await shownTitles(page)).toEqual(['B', 'C', 'A', 'D']);

      // The other browser sees it without a reload.
      await expectTitles(other.page, ['B', 'C', 'A', 'D']);

      await drag(page, 'D', 'C');
      await expectTitles(page, ['B', 'D', 'C', 'A']);
      await settled(page);
      await page.reload();
      await expectTitles(page, ['B', 'D', 'C', 'A']);
      await expectTitles(other.page, ['B', 'D', 'C', 'A']);
      expect(problems).toEqual([]);
      await other.context.close();
      await context.close();
    },
    LONG_MS,
  );

  test('by mouse: to the very top and the very bottom', async () => {
    const { context, page, problems } = await openWith(browser, app, ['A', 'B', 'C', 'D', 'E']);
    await drag(page, 'D', 'A');
    await expectTitles(page, ['D', 'A', 'B', 'C', 'E']);
    await drag(page, 'A', 'E');
    await expectTitles(page, ['D', 'B', 'C', 'E', 'A']);
    await settled(page);
    await page.reload();
    await expectTitles(page, ['D', 'B', 'C', 'E', 'A']);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('no jumping back: quick moves in a row, and a drop, show each order once, in turn', async () => {
    const { context, page, problems } = await openWith(browser, app, ['A', 'B', 'C', 'D']);
    await recordOrders(page);
    await handle(page, 'A').focus();
    // As fast as keys repeat: each move queues behind the one before it on its way to the server.
    for (let press = 0; press < 3; press += 1) await page.keyboard.press('Alt+ArrowDown');
    await expectTitles(page, ['B', 'C', 'D', 'A']);
    await settled(page);
    await drag(page, 'D', 'B');
    await expectTitles(page, ['D', 'B', 'C', 'A']);
    await settled(page);
    expect(await orderHistory(page)).toEqual([
      ['A', 'B', 'C', 'D'],
      ['B', 'A', 'C', 'D'],
      ['B', 'C', 'A', 'D'],
      ['B', 'C', 'D', 'A'],
      ['D', 'B', 'C', 'A'],
    ]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('by mouse: a short press on the handle is no drag, and an item dropped in place stays', async () => {
    const { context, page, problems } = await openWith(browser, app, ['A', 'B', 'C']);
    await handle(page, 'B').click();
    await drag(page, 'B', 'B');
    await settled(page);
    expect(await shownTitles(page)).toEqual(['A', 'B', 'C']);
    expect(await status(page).textContent()).toBe('');
    expect(problems).toEqual([]);
    await context.close();
  });

  test(
    'by keyboard: Alt+↑/↓ on the handle moves the todo, keeps focus and announces it',
    async () => {
      const titles = ['Call the dentist', 'Water the plants', 'Buy milk', 'Pay rent', 'Book train'];
      const { context, page, account, problems } = await openWith(browser, app, titles);
      const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label'));

      await handle(page, 'Buy milk').focus();
      await page.keyboard.press('Alt+ArrowUp');
      await expectTitles(page, [
        'Call the dentist',
        'Buy milk',
        'Water the plants',
        'Pay rent',
        'Book train',
      ]);
      await expect.poll(() => status(page).textContent()).toBe('Moved “Buy milk” to position 2 of 5');
      expect(await focusedLabel()).toBe('Move “Buy milk”');

      await page.keyboard.press('Alt+ArrowUp');
      await expectTitles(page, [
        'Buy milk',
        'Call the dentist',
        'Water the plants',
        'Pay rent',
        'Book train',
      ]);
      await expect.poll(() => status(page).textContent()).toBe('Moved “Buy milk” to position 1 of 5');
      // Already at the top: nothing moves, and it says so.
      await page.keyboard.press('Alt+ArrowUp');
      await expect.poll(() => status(page).textContent()).toBe('“Buy milk” is already first');
      expect(await shownTitles(page)).toEqual([
        'Buy milk',
        'Call the dentist',
        'Water the plants',
        'Pay rent',
        'Book train',
      ]);

      // Down to the bottom, one place at a time, focus following.
      for (const position of [2, 3, 4, 5]) {
        await page.keyboard.press('Alt+ArrowDown');
        await expect
          .poll(() => status(page).textContent())
          .toBe(`Moved “Buy milk” to position ${position} of 5`);
        expect(await focusedLabel()).toBe('Move “Buy milk”');
      }
      await expectTitles(page, [
        'Call the dentist',
        'Water the plants',
        'Pay rent',
        'Book train',
        'Buy milk',
      ]);
      await page.keyboard.press('Alt+ArrowDown');
      await expect.poll(() => status(page).textContent()).toBe('“Buy milk” is already last');

      // Arrows without Alt leave the order alone.
      await page.keyboard.press('ArrowUp');
      await settled(page);
      await page.reload();
      await expectTitles(page, [
        'Call the dentist',
        'Water the plants',
        'Pay rent',
        'Book train',
        'Buy milk',
      ]);
      const other = await secondBrowser(browser, app, account);
      await expectTitles(other.page, [
        'Call the dentist',
        'Water the plants',
        'Pay rent',
        'Book train',
        'Buy milk',
      ]);
      expect(problems).toEqual([]);
      await other.context.close();
      await context.close();
    },
    LONG_MS,
  );

  test('a todo just added can be moved before the server has given it its id', async () => {
    const { context, page, problems } = await openWith(browser, app, ['A', 'B']);
    await addTodos(page, 'New');
    // Right away: the move queues behind the add and is sent with the id the server gives.
    await handle(page, 'New').focus();
    await page.keyboard.press('Alt+ArrowUp');
    await page.keyboard.press('Alt+ArrowUp');
    await expectTitles(page, ['New', 'A', 'B']);
    await expect.poll(() => status(page).textContent()).toBe('Moved “New” to position 1 of 3');
    await settled(page);
    await page.reload();
    await expectTitles(page, ['New', 'A', 'B']);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('under a filter, a move places the todo after the one shown before it', async () => {
    const { context, page, problems } = await openWith(browser, app, ['A', 'B', 'C', 'D']);
    await todo(page, 'B').locator('.toggle').click();
    await settled(page);
    await page.getByRole('link', { name: 'Active' }).click();
    await expectTitles(page, ['A', 'C', 'D']);
    await handle(page, 'D').focus();
    await page.keyboard.press('Alt+ArrowUp');
    await expectTitles(page, ['A', 'D', 'C']);
    await expect.poll(() => status(page).textContent()).toBe('Moved “D” to position 2 of 3');
    await settled(page);
    await page.getByRole('link', { name: 'All' }).click();
    await expectTitles(page, ['A', 'D', 'B', 'C']);
    await page.reload();
    await expectTitles(page, ['A', 'D', 'B', 'C']);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('not offered in another order or while searching', async () => {
    const { context, page, problems } = await openWith(browser, app, ['A', 'B', 'C']);
    expect(await page.locator('.reorder-handle').count()).toBe(3);

    await page.goto('/?sort=due');
    await expectTitles(page, ['A', 'B', 'C']);
    await settled(page);
    expect(await page.locator('.reorder-handle').count()).toBe(0);
    // Alt+↑ on a row's controls does nothing there.
    await todo(page, 'C').locator('.toggle').focus();
    await page.keyboard.press('Alt+ArrowUp');
    await settled(page);
    expect(await shownTitles(page)).toEqual(['A', 'B', 'C']);

    await page.goto('/?q=B');
    await expectTitles(page, ['B']);
    expect(await page.locator('.reorder-handle').count()).toBe(0);

    await page.goto('/');
    await expectTitles(page, ['A', 'B', 'C']);
    expect(await page.locator('.reorder-handle').count()).toBe(3);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('TodoMVC hooks still hold with the handle: the label is the title alone, hover shows destroy', async () => {
    const { context, page, problems } = await openWith(browser, app, ['A', 'B']);
    expect(await page.locator('.todo-list li label').allTextContents()).toEqual(['A', 'B']);
    expect(await page.locator('.todo-list > li').count()).toBe(2);
    await todo(page, 'A').hover();
    await todo(page, 'A').locator('.destroy').click();
    await expectTitles(page, ['B']);
    await todo(page, 'B').locator('label').dblclick();
    await expect.poll(() => page.locator('.todo-list li.editing').count()).toBe(1);
    await page.locator('.todo-list li .edit').press('Escape');
    expect(problems).toEqual([]);
    await context.close();
  });

  test.each<'light' | 'dark' | 'phone'>(['light', 'dark', 'phone'])(
    'screenshot of a drag in progress, %s',
    async (look) => {
      const titles = ['Buy oat milk', 'Write the quarterly report', 'Call the dentist', 'Water the plants'];
      const { context, page, problems } = await openWith(
        browser,
        app,
        titles,
        look === 'dark' ? 'dark' : 'light',
      );
      if (look === 'phone') {
        await page.setViewportSize({ width: 360, height: 740 });
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      }
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await drag(page, 'Water the plants', 'Write the quarterly report', { release: false });
      await page.locator('.todo-list li.dragging').waitFor();
      await page.screenshot({ path: `${SCREENSHOTS}reorder-drag-${look}.png` });
      await page.mouse.up();
      await expectTitles(page, [
        'Buy oat milk',
        'Water the plants',
        'Write the quarterly report',
        'Call the dentist',
      ]);
      await settled(page);
      expect(problems).toEqual([]);
      await context.close();
    },
  );
});
