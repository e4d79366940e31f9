// The undo message and the Today and Upcoming views, light, dark and at a phone's 390 px: no
// serious accessibility problems (axe-core), no console errors, and the screenshots docs/ shows.
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { seriousViolations } from './axe.ts';
import {
  type App,
  addTodos,
  hasChromium,
  openAsNewUser,
  SCREENSHOTS,
  type Scheme,
  settled,
  todo,
  withAppAndBrowser,
} from './harness.ts';

type Look = Scheme | 'phone';
const LOOKS: Look[] = ['light', 'dark', 'phone'];

async function atLook(page: Page, look: Look) {
  if (look === 'phone') await page.setViewportSize({ width: 390, height: 844 });
  await page.mouse.move(0, 0);
}

describe.skipIf(!hasChromium)('screens: undo, Today and Upcoming', () => {
  let app: App;
  let browser: Parameters<Parameters<typeof withAppAndBrowser>[1]>[1];
  withAppAndBrowser('pglite', (started, launched) => {
    app = started;
    browser = launched;
  });

  test.each(LOOKS)('the undo message after a delete and after Clear completed, %s', async (look) => {
    const scheme = look === 'dark' ? 'dark' : 'light';
    const { context, page, problems } = await openAsNewUser(browser, app, { scheme, name: 'Ada Lovelace' });
    await addTodos(
      page,
      'Buy oat milk',
      'Write the quarterly report',
      'Call the dentist',
      'Water the plants',
    );
    await todo(page, 'Water the plants').locator('.toggle').click();
    await settled(page);
    await atLook(page, look);

    // At phone width a row's Delete is in its details.
    if (look === 'phone') {
      await todo(page, 'Call the dentist')
        .getByRole('button', { name: 'Details of “Call the dentist”' })
        .click();
      await page.getByRole('button', { name: 'Delete todo' }).click();
    } else {
      await todo(page, 'Call the dentist').hover();
      await todo(page, 'Call the dentist').locator('.destroy').click();
    }
    await page.locator('.undo').waitFor();
    await settled(page);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: `${SCREENSHOTS}undo-delete-${look}.png` });
    expect(await seriousViolations(page)).toEqual([]);

    await page.locator('.clear-completed').click();
    await page.getByText('Cleared 1 completed todo').waitFor();
    await settled(page);
    await page.mouse.move(0, 0);
    if (look !== 'phone') await page.screenshot({ path: `${SCREENSHOTS}undo-clear-${look}.png` });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test.each(LOOKS)('Today and Upcoming, %s', async (look) => {
    const scheme = look === 'dark' ? 'dark' : 'light';
    const now = new Date('2026-12-07T10:00:00Z'); // Monday 11:00 in Berlin
    const { context, page, problems } = await openAsNewUser(browser, app, {
      scheme,
      name: 'Ada Lovelace',
      timezoneId: 'Europe/Berlin',
      now,
    });
    await page.evaluate(async () => {
      const call = async (path: string, body: unknown) => {
        const response = await fetch(`/api/trpc/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return ((await response.json()) as { result: { data: { id: string } } }).result.data;
      };
      const work = await call('list.create', { name: 'Work' });
      const todos = [
        { title: 'Pay the rent', dueAt: '2026-12-05T08:00:00.000Z', priority: 'high' },
        { title: 'Send the quarterly report', dueAt: '2026-12-06T23:00:00.000Z', listId: work.id },
        { title: 'Call the dentist', dueAt: '2026-12-07T14:30:00.000Z', description: 'Ask about Thursday' },
        { title: 'Water the plants', dueAt: '2026-12-07T17:00:00.000Z', priority: 'low' },
        { title: 'Team lunch', dueAt: '2026-12-08T11:30:00.000Z', listId: work.id },
        { title: 'Book flights to Lisbon', dueAt: '2026-12-10T08:00:00.000Z', priority: 'medium' },
        { title: 'Buy a present for Grace', dueAt: '2026-12-12T23:00:00.000Z' },
      ];
      for (const todo of todos) await call('todo.create', todo);
    });
    await page.goto('/today');
    await page.locator('.agenda-group').first().waitFor();
    await page.locator('.agenda .todo-list li').nth(3).waitFor();
    await page.locator('.agenda .todo-list li', { hasText: 'Water the plants' }).locator('.toggle').click();
    await page.locator('.agenda[data-sync="idle"]').waitFor();
    await atLook(page, look);
    await page.waitForTimeout(200);
    await page.screenshot({ path: `${SCREENSHOTS}today-${look}.png`, fullPage: look === 'phone' });
    expect(await seriousViolations(page)).toEqual([]);

    // At phone width the switcher is behind the Lists button.
    if (look === 'phone') await page.getByRole('button', { name: 'Lists' }).click();
    await page.getByRole('link', { name: 'Upcoming' }).click();
    await page.getByRole('heading', { name: 'Tomorrow' }).waitFor();
    await page.locator('.agenda[data-sync="idle"]').waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: `${SCREENSHOTS}upcoming-${look}.png`, fullPage: look === 'phone' });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
