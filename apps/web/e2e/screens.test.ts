import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type App,
  addTodos,
  hasChromium,
  launchBrowser,
  newContext,
  openAsNewUser,
  SCREENSHOTS,
  type Scheme,
  settled,
  todo,
  watchConsole,
} from './harness.ts';

describe.skipIf(!hasChromium)('screenshots for the README', () => {
  let app: App;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  test.each<Scheme>(['light', 'dark'])('sign-in screen, %s', async (scheme) => {
    const context = await newContext(browser, app, scheme);
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto('/');
    await page.getByLabel('Email', { exact: true }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}sign-in-${scheme}.png` });
    expect(problems).toEqual([]);
    await context.close();
  });

  test.each<Scheme>(['light', 'dark'])('a list, %s', async (scheme) => {
    const { context, page, problems } = await openAsNewUser(browser, app, { scheme, name: 'Ada Lovelace' });
    await addTodos(
      page,
      'Buy oat milk',
      'Write the quarterly report',
      'Call the dentist',
      'Water the plants',
    );
    await todo(page, 'Call the dentist').locator('.toggle').click();
    await todo(page, 'Buy oat milk').locator('.toggle').click();
    await settled(page);
    await todo(page, 'Write the quarterly report').hover();
    await page.screenshot({ path: `${SCREENSHOTS}list-${scheme}.png` });
    expect(problems).toEqual([]);
    await context.close();
  });
});

import { startApp } from './harness.ts';
