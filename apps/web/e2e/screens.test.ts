// The sign-in screen and a list, light and dark: no serious accessibility problems (axe-core),
// no console errors, and the screenshots the README shows.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  type App,
  addTodos,
  hasChromium,
  newContext,
  openAsNewUser,
  SCREENSHOTS,
  type Scheme,
  settled,
  todo,
  watchConsole,
  withAppAndBrowser,
} from './harness.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** Serious and critical axe-core violations on the page, as readable lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, which the page's Content-Security-Policy does not govern.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (context: Document) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document);
    return result.violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
    );
}

describe.skipIf(!hasChromium)('screens: accessibility and screenshots', () => {
  let app: App;
  let browser: Browser;

  withAppAndBrowser('pglite', (started, launched) => {
    app = started;
    browser = launched;
  });

  test.each<Scheme>(['light', 'dark'])('sign-in screen, %s', async (scheme) => {
    const context = await newContext(browser, app, scheme);
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto('/');
    await page.getByLabel('Email', { exact: true }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}sign-in-${scheme}.png` });
    expect(await seriousViolations(page)).toEqual([]);

    // The sign-up form and an error message, too.
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('.field-error').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
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
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await todo(page, 'Write the quarterly report').hover();
    await page.waitForTimeout(300); // the hover buttons fade in
    await page.screenshot({ path: `${SCREENSHOTS}list-${scheme}.png` });
    expect(await seriousViolations(page)).toEqual([]);

    // Editing, and a refusal message on screen.
    await todo(page, 'Water the plants').locator('label').dblclick();
    await page.locator('.todo-list li .edit').fill('x'.repeat(501));
    await page.locator('.todo-list li .edit').press('Enter');
    await page.locator('[role="alert"]').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems.filter((problem) => !/status of 400/.test(problem))).toEqual([]);
    await context.close();
  });

  test.each<Scheme>(['light', 'dark'])('the connection status, %s', async (scheme) => {
    const { context, page, problems } = await openAsNewUser(browser, app, { scheme, name: 'Ada Lovelace' });
    await addTodos(page, 'Buy oat milk', 'Write the quarterly report');
    await settled(page);
    await page.locator('.connection[data-connection="live"]').waitFor({ state: 'attached' });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    await context.setOffline(true);
    await page.locator('.connection[data-connection="offline"]').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}connection-offline-${scheme}.png` });
    expect(await seriousViolations(page)).toEqual([]);

    await context.setOffline(false);
    await page.locator('.connection[data-connection="back"]').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}connection-back-${scheme}.png` });
    expect(await seriousViolations(page)).toEqual([]);
    // What the browser logs about requests that failed while it was offline is expected.
    expect(problems.filter((problem) => !/ERR_INTERNET_DISCONNECTED/.test(problem))).toEqual([]);
    await context.close();
  });

  test('phone width: the connection status fits', async () => {
    const { context, page } = await openAsNewUser(browser, app, { name: 'Ada Lovelace' });
    await page.setViewportSize({ width: 360, height: 740 });
    await addTodos(page, 'Buy oat milk', 'Call the dentist');
    await settled(page);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await context.setOffline(true);
    await page.locator('.connection[data-connection="offline"]').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: `${SCREENSHOTS}connection-offline-phone.png` });
    await context.setOffline(false);
    await context.close();
  });

  test('phone width: nothing overflows sideways', async () => {
    const { context, page } = await openAsNewUser(browser, app, { name: 'Ada' });
    await page.setViewportSize({ width: 360, height: 740 });
    await addTodos(page, 'A todo with a rather long title that has to wrap on a small screen', 'Short');
    await todo(page, 'Short').locator('.toggle').click();
    await settled(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: join(tmpdir(), 'todo-web-phone.png') });
    await context.close();
  });
});
