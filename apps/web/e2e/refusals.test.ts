// When the server refuses a change, the optimistic update is rolled back and the user is told.
import type { Browser, Page } from 'playwright-core';
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

const REFUSED = [/status of 500/, /status of 400/];

/** Makes the server answer 500 to one procedure, once. */
async function refuseOnce(page: Page, procedure: string) {
  await page.route(
    (url) => url.pathname === `/api/trpc/${procedure}`,
    (route) => route.fulfill({ status: 500, contentType: 'text/plain', body: 'refused' }),
    { times: 1 },
  );
}

async function alertText(page: Page): Promise<string> {
  const alert = page.locator('[role="alert"]');
  await alert.waitFor();
  return (await alert.textContent()) ?? '';
}

describe.skipIf(!hasChromium)('server refusals', () => {
  let app: App;
  let browser: Browser;

  withAppAndBrowser('pglite', (started, launched) => {
    app = started;
    browser = launched;
  });

  test('a refused toggle is undone and explained', async () => {
    const { context, page, problems } = await openAsNewUser(browser, app, { allow: REFUSED });
    await addTodos(page, 'Stays active');
    await settled(page);
    await refuseOnce(page, 'todo.update');
    await todo(page, 'Stays active').locator('.toggle').click();
    expect(await alertText(page)).toMatch(/Could not update the todo.*back as it was/);
    await expect.poll(() => page.locator('.todo-list li.completed').count()).toBe(0);
    await expect.poll(() => counterText(page)).toBe('1 item left');
    // The message can be dismissed.
    await page.getByRole('button', { name: 'Dismiss message' }).click();
    expect(await page.locator('[role="alert"]').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a title over 500 characters is refused by the server and the old one comes back', async () => {
    const { context, page } = await openAsNewUser(browser, app, { allow: REFUSED });
    await addTodos(page, 'Short title');
    await todo(page, 'Short title').locator('label').dblclick();
    await page.locator('.todo-list li .edit').fill('x'.repeat(501));
    await page.locator('.todo-list li .edit').press('Enter');
    expect(await alertText(page)).toMatch(
      /Could not rename the todo: the title must be at most 500 characters/,
    );
    await expectTitles(page, ['Short title']);
    await settled(page);
    await page.reload();
    await expectTitles(page, ['Short title']);
    await context.close();
  });

  test('a new todo over 500 characters is counted, kept in the field with a reason, and not sent', async () => {
    const { context, page, problems } = await openAsNewUser(browser, app);
    const field = page.getByLabel('New todo');
    await field.fill('y'.repeat(449));
    expect(await page.locator('.new-todo-count').count()).toBe(0);
    await field.fill('y'.repeat(460));
    expect(await page.locator('.new-todo-count').textContent()).toBe('460 / 500');
    const long = 'z'.repeat(523);
    await field.fill(long);
    await field.press('Enter');
    expect(await alertText(page)).toBe(
      'A title holds at most 500 characters; this one has 523. Shorten it, or put the rest in its details.',
    );
    expect(await field.inputValue()).toBe(long);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await field.fill('z'.repeat(500));
    await field.press('Enter');
    await expectTitles(page, ['z'.repeat(500)]);
    expect(await field.inputValue()).toBe('');
    expect(problems).toEqual([]);
    await context.close();
  });

  test('every other change is rolled back too: add, delete, mark all, clear completed', async () => {
    const { context, page } = await openAsNewUser(browser, app, { allow: REFUSED });
    await addTodos(page, 'Done', 'Open');
    await todo(page, 'Done').locator('.toggle').click();
    await settled(page);

    await refuseOnce(page, 'todo.create');
    await addTodos(page, 'Never saved');
    expect(await alertText(page)).toContain('Could not add the todo');
    await expectTitles(page, ['Done', 'Open']);
    await expect.poll(() => counterText(page)).toBe('1 item left');
    await settled(page);

    await refuseOnce(page, 'todo.delete');
    await todo(page, 'Open').locator('.destroy').click({ force: true });
    await expect.poll(() => alertText(page)).toContain('Could not delete the todo');
    await expectTitles(page, ['Done', 'Open']);
    await settled(page);

    await refuseOnce(page, 'todo.setAllCompleted');
    await page.locator('label[for="toggle-all"]').click();
    await expect.poll(() => alertText(page)).toContain('Could not mark all todos as complete');
    await expect
      .poll(() => page.locator('.todo-list li.completed label').allTextContents())
      .toEqual(['Done']);
    await settled(page);

    await refuseOnce(page, 'todo.clearCompleted');
    await page.locator('.clear-completed').click();
    await expect.poll(() => alertText(page)).toContain('Could not clear the completed todos');
    await expectTitles(page, ['Done', 'Open']);
    await settled(page);
    await page.reload();
    await expectTitles(page, ['Done', 'Open']);
    await context.close();
  });
});
