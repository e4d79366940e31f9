// The sign-in screen and a list, light and dark: no serious accessibility problems (axe-core),
// no console errors, and the screenshots the README and docs/ show.
//
// Over 400 lines, kept together: the one file that makes every screenshot the README and docs/
// show, in three parts with a server each, so that one run renews them all.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { seriousViolations } from './axe.ts';
import {
  type App,
  addTodos,
  createThroughApi,
  hasChromium,
  liveStreamOpen,
  mailFolder,
  newAccount,
  newContext,
  openAsNewUser,
  SCREENSHOTS,
  type Scheme,
  settled,
  signUpThroughApi,
  todo,
  watchConsole,
  withAppAndBrowser,
} from './harness.ts';

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
    await liveStreamOpen(page);
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

  test.each<Scheme>(['light', 'dark'])('offline with changes waiting, then synced, %s', async (scheme) => {
    const { context, page, problems } = await openAsNewUser(browser, app, { scheme, name: 'Ada Lovelace' });
    await addTodos(page, 'Buy oat milk', 'Write the quarterly report', 'Call the dentist');
    await settled(page);
    await liveStreamOpen(page);

    await context.setOffline(true);
    await page.locator('.connection[data-connection="offline"]').waitFor();
    await addTodos(page, 'Water the plants');
    await todo(page, 'Buy oat milk').locator('.toggle').click();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.locator('.connection[data-state="waiting"]').waitFor();
    // The toggle's write joins the queue a moment after the new todo's: read until both count.
    await expect.poll(() => page.locator('.connection').textContent()).toBe('Offline: 2 changes waiting');
    await page.screenshot({ path: `${SCREENSHOTS}offline-waiting-${scheme}.png` });
    expect(await seriousViolations(page)).toEqual([]);

    await context.setOffline(false);
    await page.locator('.connection[data-state="synced"]').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}offline-synced-${scheme}.png` });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems.filter((problem) => !/ERR_INTERNET_DISCONNECTED/.test(problem))).toEqual([]);
    await context.close();
  });

  test('phone width: offline with changes waiting fits', async () => {
    const { context, page } = await openAsNewUser(browser, app, { name: 'Ada Lovelace' });
    await page.setViewportSize({ width: 360, height: 740 });
    await addTodos(page, 'Buy oat milk', 'Call the dentist');
    await settled(page);
    await context.setOffline(true);
    await page.locator('.connection[data-connection="offline"]').waitFor();
    await addTodos(page, 'Water the plants');
    await todo(page, 'Call the dentist').locator('.toggle').click();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await expect.poll(() => page.locator('.connection').textContent()).toBe('Offline: 2 changes waiting');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: `${SCREENSHOTS}offline-waiting-phone.png` });
    await context.setOffline(false);
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

  test('on a touch screen the footer says to tap the edit button, not to double-click', async () => {
    const hint = async (touch: boolean) => {
      const context = await browser.newContext({
        baseURL: app.url,
        viewport: { width: 390, height: 800 },
        hasTouch: touch,
        isMobile: touch,
      });
      await signUpThroughApi(context, app, newAccount());
      const page = await context.newPage();
      await page.goto('/');
      const shown = page.locator('.info span:visible');
      await shown.waitFor();
      const text = await shown.allTextContents();
      await context.close();
      return text;
    };
    expect(await hint(true)).toEqual(['Tap ⌄ beside a todo to edit or delete it']);
    expect(await hint(false)).toEqual(['Double-click a todo to edit it']);
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

type Look = Scheme | 'phone';

/** A context for one of the three looks: light and dark at 900 px, light at a phone's 360 px. */
async function contextFor(browser: Browser, app: App, look: Look) {
  const context = await newContext(browser, app, look === 'dark' ? 'dark' : 'light');
  return context;
}

async function fitPhone(page: Page, look: Look) {
  if (look !== 'phone') return;
  await page.setViewportSize({ width: 360, height: 740 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
}

describe.skipIf(!hasChromium)('screens: the account page, forgot password and reset', () => {
  let app: App;
  let browser: Browser;
  // Not production, so that the reset request is answered (its mail is written to a file).
  const mail = mailFolder('screens');
  withAppAndBrowser(
    'pglite',
    (started, launched) => {
      app = started;
      browser = launched;
    },
    mail.env,
  );

  test.each<Look>(['light', 'dark', 'phone'])('the account page, %s', async (look) => {
    const { context, page, account, problems } = await openAsNewUser(browser, app, {
      scheme: look === 'dark' ? 'dark' : 'light',
      name: 'Ada Lovelace',
    });
    await createThroughApi(page, ['Buy oat milk', 'Call the dentist']);
    // A second device, so the list shows one to sign out.
    const other = await newContext(browser, app);
    await other.request.post('/api/auth/sign-in/email', {
      data: { email: account.email, password: account.password },
      headers: {
        origin: app.url,
        'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1',
      },
    });
    await page.goto('/account');
    await page.locator('.sessions li').nth(1).waitFor();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Ada King');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByText('Your name is saved.').waitFor();
    await fitPhone(page, look);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({ path: `${SCREENSHOTS}account-${look}.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    // The forms' own messages: a refused deletion.
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.locator('.card-danger .field-error').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await other.close();
    await context.close();
  });

  test.each<Look>(['light', 'dark', 'phone'])('forgot password, %s', async (look) => {
    const context = await contextFor(browser, app, look);
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto('/');
    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email', { exact: true }).fill('ada@example.com');
    await page.getByRole('button', { name: 'Send me a reset link' }).click();
    await page.getByText(/^If an account exists for that email/).waitFor();
    await fitPhone(page, look);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({ path: `${SCREENSHOTS}forgot-password-${look}.png` });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test.each<Look>(['light', 'dark', 'phone'])('the reset page, %s', async (look) => {
    const context = await contextFor(browser, app, look);
    const page = await context.newPage();
    const problems = watchConsole(page, [/status of 400/]);
    await page.goto('/reset-password?token=a-token-from-a-mail');
    await page.getByLabel('New password', { exact: true }).fill('my-brand-new-pass');
    await page.getByLabel('New password, again').fill('my-brand-new-pa');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.locator('.field-error').waitFor();
    await fitPhone(page, look);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({ path: `${SCREENSHOTS}reset-password-${look}.png` });
    expect(await seriousViolations(page)).toEqual([]);

    // The token is not a real one: the server refuses it, and the page says what to do.
    await page.getByLabel('New password, again').fill('my-brand-new-pass');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page
      .getByRole('alert')
      .getByText(/invalid or has expired/)
      .waitFor();
    if (look !== 'phone') await page.screenshot({ path: `${SCREENSHOTS}reset-password-invalid-${look}.png` });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe.skipIf(!hasChromium)('screens: due dates, priorities, details, search and empty states', () => {
  let app: App;
  let browser: Browser;
  withAppAndBrowser('pglite', (started, launched) => {
    app = started;
    browser = launched;
  });

  /** Tuesday 8 September 2026, 10:00 in Berlin, so the dates read the same on every run. */
  const now = new Date('2026-09-08T08:00:00.000Z');
  const berlin = (date: string, time = '00:00') => new Date(`${date}T${time}:00+02:00`).toISOString();

  async function openList(look: Look, todos: Parameters<typeof createThroughApi>[1]) {
    const opened = await openAsNewUser(browser, app, {
      scheme: look === 'dark' ? 'dark' : 'light',
      name: 'Ada Lovelace',
      timezoneId: 'Europe/Berlin',
      now,
    });
    if (todos.length > 0) {
      await createThroughApi(opened.page, todos);
      await opened.page.reload();
      await opened.page.locator('.todo-list li').first().waitFor();
    }
    await fitPhone(opened.page, look);
    return opened;
  }

  const PLANNED = [
    { title: 'Pay the rent', dueAt: berlin('2026-09-08', '17:00'), priority: 'high' as const },
    {
      title: 'Write the quarterly report',
      description: 'Numbers from finance first, then the summary for the board',
      dueAt: berlin('2026-09-07'),
      priority: 'medium' as const,
    },
    { title: 'Call the dentist', dueAt: berlin('2026-09-09', '09:30') },
    { title: 'Book flights to Lisbon', dueAt: berlin('2026-09-14'), priority: 'low' as const },
    { title: 'Buy oat milk' },
  ];

  test.each<Look>(['light', 'dark', 'phone'])('a list with due dates and priorities, %s', async (look) => {
    const { context, page, problems } = await openList(look, PLANNED);
    await todo(page, 'Buy oat milk').locator('.toggle').click();
    await settled(page);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.mouse.move(0, 0);
    await page.screenshot({ path: `${SCREENSHOTS}due-priority-${look}.png` });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test.each<Look>(['light', 'dark', 'phone'])('the details panel, %s', async (look) => {
    const { context, page, problems } = await openList(look, PLANNED);
    await page.getByRole('button', { name: 'Details of “Write the quarterly report”' }).click();
    await page.getByRole('form').getByLabel('Description').waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: `${SCREENSHOTS}details-${look}.png`, fullPage: look === 'phone' });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test.each<Look>(['light', 'dark', 'phone'])('a search that matches nothing, %s', async (look) => {
    const { context, page, problems } = await openList(look, PLANNED);
    await page.getByRole('combobox', { name: 'Sort' }).selectOption('due');
    await page.getByRole('searchbox', { name: 'Search' }).fill('holiday');
    await page.getByText('No todos match “holiday”').waitFor();
    await settled(page);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({ path: `${SCREENSHOTS}search-empty-${look}.png` });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test.each<Look>(['light', 'dark', 'phone'])(
    'Completed and Active with nothing in them, %s',
    async (look) => {
      const { context, page, problems } = await openList(look, [{ title: 'Water the plants' }]);
      await page.getByRole('link', { name: 'Completed' }).click();
      await page.getByText('Nothing completed yet').waitFor();
      await settled(page);
      await page.mouse.move(0, 0);
      await page.screenshot({ path: `${SCREENSHOTS}empty-completed-${look}.png` });
      expect(await seriousViolations(page)).toEqual([]);

      await page.getByRole('link', { name: 'All' }).click();
      await todo(page, 'Water the plants').locator('.toggle').click();
      await page.getByRole('link', { name: 'Active' }).click();
      await page.getByText('Nothing left to do').waitFor();
      await settled(page);
      await page.mouse.move(0, 0);
      await page.screenshot({ path: `${SCREENSHOTS}empty-active-${look}.png` });
      expect(await seriousViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
      await context.close();
    },
  );

  test.each<Look>(['light', 'dark', 'phone'])('the first run, %s', async (look) => {
    const { context, page, problems } = await openList(look, []);
    await page.getByText('Nothing to do: add your first todo above').waitFor();
    await settled(page);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({ path: `${SCREENSHOTS}first-run-${look}.png` });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
