// The new screens of lists and sharing, light, dark and at a phone's 390 px: the switcher, the
// share dialog and the invite page; no serious accessibility problems (axe-core), no console
// errors, and the screenshots the README shows.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { seriousViolations } from './axe.ts';
import {
  type App,
  addTodos,
  hasChromium,
  mailFolder,
  openAsNewUser,
  SCREENSHOTS,
  type Scheme,
  settled,
  withAppAndBrowser,
} from './harness.ts';
import { inviteFromDialog, invitePath, makeList, switcherLink, verifyEmail } from './sharing.ts';

const mail = mailFolder('lists-screens');
const MAIL_DIR = mail.dir;

type Look = Scheme | 'phone';
const LOOKS: Look[] = ['light', 'dark', 'phone'];

async function atLook(page: Page, look: Look) {
  if (look === 'phone') await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.mouse.move(0, 0);
}

describe.skipIf(!hasChromium)('screens: lists and sharing', () => {
  let app: App;
  let browser: Browser;
  withAppAndBrowser(
    'pglite',
    (started, launched) => {
      app = started;
      browser = launched;
    },
    mail.env,
  );

  /** Ada owns "Groceries" (shared with Grace, with one invite pending) and "Holiday"; Grace has
   * an invite to Ada's "Book club" waiting. */
  async function scene(look: Look) {
    const scheme = look === 'dark' ? 'dark' : 'light';
    const ada = await openAsNewUser(browser, app, { scheme, name: 'Ada Lovelace' });
    const grace = await openAsNewUser(browser, app, { scheme, name: 'Grace Hopper' });
    await verifyEmail(grace.context, app, grace.account, MAIL_DIR);
    await makeList(ada.page, 'Holiday');
    await addTodos(ada.page, 'Book flights to Lisbon');
    await makeList(ada.page, 'Groceries');
    await addTodos(ada.page, 'Oat milk', 'Bread', 'Tomatoes');
    await inviteFromDialog(ada.page, grace.account.email);
    await grace.page.goto(await invitePath(MAIL_DIR, grace.account.email, 'Groceries'));
    await grace.page.getByRole('button', { name: 'Join list' }).click();
    await grace.page.waitForURL(/\/lists\//);
    await ada.page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await inviteFromDialog(ada.page, 'sam@example.com', 'viewer');
    await ada.page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await makeList(ada.page, 'Book club');
    await inviteFromDialog(ada.page, grace.account.email, 'viewer');
    await ada.page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await switcherLink(ada.page, 'Groceries').click();
    await settled(ada.page);
    return { ada, grace };
  }

  test.each(LOOKS)(
    'the switcher, the share dialog and the invite page, %s',
    async (look) => {
      const { ada, grace } = await scene(look);
      await atLook(ada.page, look);
      if (look === 'phone') await ada.page.getByRole('button', { name: 'Lists' }).click();
      await ada.page.getByRole('navigation', { name: 'Lists' }).waitFor();
      await ada.page.screenshot({ path: `${SCREENSHOTS}lists-switcher-${look}.png` });
      expect(await seriousViolations(ada.page)).toEqual([]);
      if (look === 'phone') await ada.page.keyboard.press('Escape');

      await ada.page.getByRole('button', { name: 'Share', exact: true }).click();
      await ada.page.getByRole('dialog').getByRole('button', { name: 'Remove Grace Hopper' }).waitFor();
      await ada.page.getByRole('dialog').getByText('sam@example.com', { exact: true }).waitFor();
      await ada.page.screenshot({ path: `${SCREENSHOTS}share-dialog-${look}.png` });
      expect(await seriousViolations(ada.page)).toEqual([]);

      await grace.page.goto(await invitePath(MAIL_DIR, grace.account.email, 'Book club'));
      await grace.page.getByRole('heading', { name: 'Join “Book club”' }).waitFor();
      await atLook(grace.page, look);
      await grace.page.screenshot({ path: `${SCREENSHOTS}invite-page-${look}.png` });
      expect(await seriousViolations(grace.page)).toEqual([]);
      if (look === 'phone') {
        expect(await grace.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
          390,
        );
      }
      expect(ada.problems).toEqual([]);
      expect(grace.problems).toEqual([]);
      await ada.context.close();
      await grace.context.close();
    },
    120_000,
  );
});
