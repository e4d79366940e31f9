// Hash routes, persistence across reloads and browsers, and privacy between accounts.
import type { Browser } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  type App,
  addTodos,
  counterText,
  drivers,
  expectTitles,
  hasChromium,
  newContext,
  openAsNewUser,
  settled,
  todo,
  withAppAndBrowser,
} from './harness.ts';

const selectedFilter = (page: import('playwright-core').Page) =>
  page.locator('.filters a.selected').allTextContents();

describe.skipIf(!hasChromium)('routing', () => {
  let app: App;
  let browser: Browser;

  withAppAndBrowser('pglite', (started, launched) => {
    app = started;
    browser = launched;
  });

  test('filters list the matching todos; the current link alone is selected', async () => {
    const { context, page, problems } = await openAsNewUser(browser, app);
    await addTodos(page, 'One', 'Two', 'Three');
    await todo(page, 'Two').locator('.toggle').click();
    const links = page.locator('.filters a');
    expect(await links.allTextContents()).toEqual(['All', 'Active', 'Completed']);
    expect(await links.evaluateAll((all) => all.map((link) => link.getAttribute('href')))).toEqual([
      '#/',
      '#/active',
      '#/completed',
    ]);
    expect(await selectedFilter(page)).toEqual(['All']);

    await page.getByRole('link', { name: 'Active' }).click();
    await expectTitles(page, ['One', 'Three']);
    expect(await selectedFilter(page)).toEqual(['Active']);
    expect(page.url()).toMatch(/#\/active$/);

    await page.getByRole('link', { name: 'Completed' }).click();
    await expectTitles(page, ['Two']);
    expect(await selectedFilter(page)).toEqual(['Completed']);

    await page.getByRole('link', { name: 'All' }).click();
    await expectTitles(page, ['One', 'Two', 'Three']);
    expect(await selectedFilter(page)).toEqual(['All']);

    // Back and Forward move between the filters visited.
    await page.goBack();
    await expectTitles(page, ['Two']);
    expect(await selectedFilter(page)).toEqual(['Completed']);
    await page.goBack();
    await expectTitles(page, ['One', 'Three']);
    expect(await selectedFilter(page)).toEqual(['Active']);
    await page.goForward();
    await expectTitles(page, ['Two']);
    expect(await selectedFilter(page)).toEqual(['Completed']);

    // A reload keeps the filter.
    await settled(page);
    await page.reload();
    await expectTitles(page, ['Two']);
    expect(await selectedFilter(page)).toEqual(['Completed']);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a todo that stops matching leaves the view at once; one added under Completed is only counted', async () => {
    const { context, page } = await openAsNewUser(browser, app, { path: '/#/active' });
    expect(await page.locator('.new-todo').isVisible()).toBe(true);
    await addTodos(page, 'One', 'Two');
    await expect.poll(() => selectedFilter(page)).toEqual(['Active']);
    await expectTitles(page, ['One', 'Two']);
    await todo(page, 'One').locator('.toggle').click();
    await expectTitles(page, ['Two']);

    await page.getByRole('link', { name: 'Completed' }).click();
    await expectTitles(page, ['One']);
    await todo(page, 'One').locator('.toggle').click();
    await expectTitles(page, []);

    await addTodos(page, 'Three');
    await expect.poll(() => counterText(page)).toBe('3 items left');
    await settled(page);
    await expectTitles(page, []);
    await page.getByRole('link', { name: 'All' }).click();
    await expectTitles(page, ['One', 'Two', 'Three']);
    await context.close();
  });

  test('opening the app with a route applies it', async () => {
    const { context, page } = await openAsNewUser(browser, app);
    await addTodos(page, 'Open', 'Done');
    await todo(page, 'Done').locator('.toggle').click();
    await settled(page);
    const other = await context.newPage();
    await other.goto('/#/completed');
    await expectTitles(other, ['Done']);
    expect(await selectedFilter(other)).toEqual(['Completed']);
    await other.goto('/#/active');
    await expectTitles(other, ['Open']);
    await context.close();
  });
});

for (const driver of drivers) {
  describe.skipIf(!hasChromium)(`persistence and privacy (${driver})`, () => {
    let app: App;
    let browser: Browser;

    withAppAndBrowser(driver, (started, launched) => {
      app = started;
      browser = launched;
    });

    test('a reload and a second browser with only the cookie show the same list', async () => {
      const { context, page } = await openAsNewUser(browser, app);
      await addTodos(page, 'First', 'Second', 'Third');
      await todo(page, 'Second').locator('.toggle').click();
      await todo(page, 'Third').locator('label').dblclick();
      await page.locator('.todo-list li .edit').fill('Third, renamed');
      await page.locator('.todo-list li .edit').press('Enter');
      await settled(page);

      await page.reload();
      await expectTitles(page, ['First', 'Second', 'Third, renamed']);
      expect(await page.locator('.todo-list li.completed label').allTextContents()).toEqual(['Second']);

      // Another browser (no storage, no memory) that only has the session cookie.
      const elsewhere = await newContext(browser, app);
      await elsewhere.addCookies(await context.cookies());
      const second = await elsewhere.newPage();
      await second.goto('/');
      await expectTitles(second, ['First', 'Second', 'Third, renamed']);
      expect(await second.locator('.todo-list li.completed label').allTextContents()).toEqual(['Second']);
      expect(await second.evaluate(() => localStorage.length)).toBe(0);

      // A change there shows here after a reload.
      await todo(second, 'First').locator('.destroy').click({ force: true });
      await settled(second);
      await page.reload();
      await expectTitles(page, ['Second', 'Third, renamed']);
      await elsewhere.close();
      await context.close();
    });

    test('two users side by side never see each other’s todos', async () => {
      const alice = await openAsNewUser(browser, app, { name: 'Alice' });
      const bob = await openAsNewUser(browser, app, { name: 'Bob' });
      await addTodos(alice.page, 'Alice one', 'Alice two');
      await addTodos(bob.page, 'Bob one');
      await settled(alice.page);
      await settled(bob.page);
      await alice.page.reload();
      await bob.page.reload();
      await expectTitles(alice.page, ['Alice one', 'Alice two']);
      await expectTitles(bob.page, ['Bob one']);
      await alice.page.locator('label[for="toggle-all"]').click();
      await alice.page.locator('.clear-completed').click();
      await settled(alice.page);
      await bob.page.reload();
      await expectTitles(bob.page, ['Bob one']);

      // A new account starts empty.
      const carol = await openAsNewUser(browser, app, { name: 'Carol' });
      await settled(carol.page);
      expect(await carol.page.locator('.todo-list li').count()).toBe(0);
      await Promise.all([alice.context.close(), bob.context.close(), carol.context.close()]);
    });
  });
}
