// Lists in the web app: the Inbox at `/`, a list at `/lists/<id>` with TodoMVC's filters inside
// it, and the switcher (sidebar, or a menu at phone width) that makes, renames and deletes them.
import type { Browser } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  type App,
  addTodos,
  counterText,
  expectTitles,
  hasChromium,
  openAsNewUser,
  settled,
  todo,
  withAppAndBrowser,
} from './harness.ts';
import { makeList, switcherLink } from './sharing.ts';

describe.skipIf(!hasChromium)('lists: routes and the switcher', () => {
  let app: App;
  let browser: Browser;
  withAppAndBrowser('pglite', (started, launched) => {
    app = started;
    browser = launched;
  });

  test('a list has its own todos at /lists/<id>, with TodoMVC filters; the Inbox stays at /', async () => {
    const { context, page, problems } = await openAsNewUser(browser, app);
    await addTodos(page, 'Inbox one', 'Inbox two');
    await settled(page);
    const path = await makeList(page, 'Groceries');
    await expectTitles(page, []);
    await addTodos(page, 'Milk', 'Bread', 'Eggs');
    await todo(page, 'Bread').locator('.toggle').click();
    await settled(page);
    expect(await counterText(page)).toBe('2 items left');

    // The filters live in the hash, inside the list.
    await page.getByRole('link', { name: 'Active', exact: true }).click();
    expect(new URL(page.url()).pathname + new URL(page.url()).hash).toBe(`${path}#/active`);
    await expectTitles(page, ['Milk', 'Eggs']);
    await page.getByRole('link', { name: 'Completed', exact: true }).click();
    await expectTitles(page, ['Bread']);
    await page.reload();
    await expectTitles(page, ['Bread']);
    await page.getByRole('button', { name: 'Clear completed' }).click();
    await page.getByRole('link', { name: 'All', exact: true }).click();
    await expectTitles(page, ['Milk', 'Eggs']);
    await page.locator('label[for="toggle-all"]').click(); // as a person does: the input is a 1 px box under the label
    await settled(page);
    expect(await counterText(page)).toBe('0 items left');

    // The switcher counts each list's active todos; the Inbox kept its own.
    await expect.poll(() => switcherLink(page, 'Groceries').textContent()).toMatch(/0 open$/);
    await expect.poll(() => switcherLink(page, 'Inbox').textContent()).toMatch(/2 open$/);
    await switcherLink(page, 'Inbox').click();
    expect(new URL(page.url()).pathname).toBe('/');
    await expectTitles(page, ['Inbox one', 'Inbox two']);
    expect(await counterText(page)).toBe('2 items left');
    await page.goto('/#/active');
    await expectTitles(page, ['Inbox one', 'Inbox two']);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('the owner renames a list, moves it in their order, and deletes it after confirming', async () => {
    const { context, page, problems } = await openAsNewUser(browser, app);
    await makeList(page, 'Errands');
    await makeList(page, 'Holiday');
    await addTodos(page, 'Book flights');
    await settled(page);
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('textbox', { name: 'List name' }).fill('Lisbon trip');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Lisbon trip', level: 2 }).waitFor();
    await switcherLink(page, 'Lisbon trip').waitFor();

    // Up, then back down: the switcher's order follows, and ends stay disabled.
    const names = () =>
      page.getByRole('navigation', { name: 'Lists' }).locator('.list-link-name').allTextContents();
    await expect.poll(names).toEqual(['Inbox', 'Errands', 'Lisbon trip']);
    const down = page.getByRole('button', { name: 'Move “Lisbon trip” down' });
    expect(await down.isDisabled()).toBe(true);
    // On screen at once; saved once the server answers (a reload before that would cut it).
    const saved = page.waitForResponse((response) => response.url().includes('list.move'));
    await page.getByRole('button', { name: 'Move “Lisbon trip” up' }).click();
    await expect.poll(names).toEqual(['Inbox', 'Lisbon trip', 'Errands']);
    expect((await saved).status()).toBe(200);
    await page.reload();
    await expect.poll(names).toEqual(['Inbox', 'Lisbon trip', 'Errands']);
    await expect.poll(() => down.isDisabled()).toBe(false);
    await down.click();
    await expect.poll(names).toEqual(['Inbox', 'Errands', 'Lisbon trip']);

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.getByText('Delete “Lisbon trip” and its 1 todo?').waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => confirm.count()).toBe(0);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete list' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expect.poll(() => switcherLink(page, 'Lisbon trip').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('at phone width the switcher is a menu behind a button', async () => {
    const { context, page } = await openAsNewUser(browser, app);
    await page.setViewportSize({ width: 390, height: 800 });
    const menu = page.getByRole('button', { name: 'Lists' });
    await expect.poll(() => menu.getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByRole('navigation', { name: 'Lists' }).isVisible()).toBe(false);
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await makeList(page, 'Errands');
    // Opening a list closes the menu.
    expect(await page.getByRole('navigation', { name: 'Lists' }).isVisible()).toBe(false);
    await menu.click();
    await switcherLink(page, 'Inbox').click();
    await page.waitForURL((url) => url.pathname === '/');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await context.close();
  });

  test('a list the caller cannot see says so, like one that does not exist', async () => {
    const { context, page } = await openAsNewUser(browser, app, {
      allow: [/status of 404/],
    });
    await page.goto('/lists/00000000-0000-4000-8000-000000000000');
    await page.getByText('This list does not exist, or you do not have access to it.').waitFor();
    await context.close();
  });
});
