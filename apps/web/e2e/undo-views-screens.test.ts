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
});
