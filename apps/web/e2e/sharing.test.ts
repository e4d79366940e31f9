// Sharing a list between accounts in the browser: invite from the share dialog, join on the
// invite page, each member sees the other's changes live, a stranger sees nothing, and a
// removed member's screen drops the list at once. Real server, real mail (files), real streams.
import type { Browser } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  type App,
  addTodos,
  expectTitles,
  hasChromium,
  liveStreamOpen,
  mailFolder,
  newAccount,
  newContext,
  openAsNewUser,
  settled,
  shownTitles,
  todo,
  watchConsole,
  withAppAndBrowser,
} from './harness.ts';
import { inviteFromDialog, invitePath, makeList, switcherLink, verifyEmail } from './sharing.ts';

const mail = mailFolder('sharing');
const MAIL_DIR = mail.dir;
/** "Within a second": how long another member's screen may take to show a change. */
const LIVE = { timeout: 1_000, interval: 50 };

describe.skipIf(!hasChromium)('sharing a list', () => {
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

  test('two members see each other live, a third sees nothing, a removed member loses it at once', async () => {
    const owner = await openAsNewUser(browser, app, { name: 'Ada Owner' });
    const member = await openAsNewUser(browser, app, { name: 'Bob Member' });
    const third = await openAsNewUser(browser, app, { name: 'Cy Stranger', allow: [/status of 404/] });
    await verifyEmail(member.context, app, member.account, MAIL_DIR);

    const path = await makeList(owner.page, 'Shared plans');
    const dialog = await inviteFromDialog(owner.page, member.account.email);
    await dialog.getByText(member.account.email, { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    const invite = await invitePath(MAIL_DIR, member.account.email);
    await member.page.goto(invite);
    await member.page.getByRole('heading', { name: 'Join “Shared plans”' }).waitFor();
    await member.page.getByText('Ada Owner', { exact: true }).waitFor();
    await member.page.getByRole('button', { name: 'Join list' }).click();
    await member.page.waitForURL((url) => url.pathname === path);
    await member.page.getByText('Ada Owner’s list · you are an editor · 2 members').waitFor();
    await liveStreamOpen(owner.page);
    await liveStreamOpen(member.page);

    await addTodos(owner.page, 'Book the venue');
    await expect.poll(() => shownTitles(member.page), LIVE).toEqual(['Book the venue']);
    await addTodos(member.page, 'Send the invitations');
    await expect
      .poll(() => shownTitles(owner.page), LIVE)
      .toEqual(['Book the venue', 'Send the invitations']);
    await todo(member.page, 'Book the venue').locator('.toggle').click();
    await expect
      .poll(() => todo(owner.page, 'Book the venue').getAttribute('class'), LIVE)
      .toMatch(/completed/);
    await expect.poll(() => switcherLink(member.page, 'Shared plans').textContent()).toMatch(/1 open$/);

    // The stranger: not in their switcher, not at its address, not in their Inbox.
    await third.page.reload();
    await third.page.locator('.new-todo').waitFor();
    expect(await switcherLink(third.page, 'Shared plans').count()).toBe(0);
    expect(await shownTitles(third.page)).toEqual([]);
    await third.page.goto(path);
    await third.page.getByText('This list does not exist, or you do not have access to it.').waitFor();

    // The owner removes the member: the member's screen leaves the list, saying why.
    await settled(member.page);
    await owner.page.getByRole('button', { name: 'Share', exact: true }).click();
    await owner.page.getByRole('button', { name: 'Remove Bob Member' }).click();
    await expect.poll(() => new URL(member.page.url()).pathname, LIVE).toBe('/');
    await member.page.getByText('You no longer have access to “Shared plans”.').waitFor({ timeout: 1_000 });
    expect(await switcherLink(member.page, 'Shared plans').count()).toBe(0);
    // The row's Remove button is the one element of it that names him alone (the name is also
    // in the button's hidden label, so a text locator would match twice while the row is there).
    await owner.page.getByRole('button', { name: 'Remove Bob Member' }).waitFor({ state: 'detached' });

    expect(owner.problems).toEqual([]);
    expect(member.problems).toEqual([]);
    expect(third.problems).toEqual([]);
    for (const each of [owner, member, third]) await each.context.close();
  }, 120_000);

  test('the invite page works signed out: it says what the invite is for, sign up, come back, join', async () => {
    const owner = await openAsNewUser(browser, app, { name: 'Ada Owner' });
    const guest = newAccount('Dee Guest');
    await makeList(owner.page, 'Book club');
    await inviteFromDialog(owner.page, guest.email, 'viewer');
    const invite = await invitePath(MAIL_DIR, guest.email);

    const context = await newContext(browser, app);
    const page = await context.newPage();
    const problems = watchConsole(page, []);
    await page.goto(invite);
    await page
      .getByText(
        `Ada Owner invites you to “Book club”, where you can see its todos. Sign in, or create an account, as ${guest.email} to join.`,
      )
      .waitFor();
    await page.getByRole('button', { name: 'Create an account' }).click();
    // The form starts with the invite's address.
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe(guest.email);
    await page.getByLabel('Name', { exact: true }).fill(guest.name);
    await page.getByLabel('Password', { exact: true }).fill(guest.password);
    await page.getByRole('button', { name: 'Create account' }).click();

    // Back at the invite. The new address is not verified yet: the mailed link proves it, so
    // joining needs no other step.
    await page.getByRole('heading', { name: 'Join “Book club”' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(invite);
    await page.getByRole('button', { name: 'Join list' }).click();
    await page.waitForURL(/\/lists\/[0-9a-f-]{36}$/);
    await page.getByText('Ada Owner’s list · you are a viewer').waitFor();
    await switcherLink(page, 'Book club').waitFor();

    // A viewer reads the list and is offered no write: no new-todo field, toggle, edit, delete
    // or clear; the details show, and save nothing.
    await page.getByText('You can see this list. Its owner and editors change it.').waitFor();
    expect(await page.getByLabel('New todo').count()).toBe(0);
    await owner.page.keyboard.press('Escape'); // the share dialog, left open by inviteFromDialog
    await addTodos(owner.page, 'Chapter one');
    await expectTitles(page, ['Chapter one']);
    const row = todo(page, 'Chapter one');
    expect(await row.locator('.toggle').isDisabled()).toBe(true);
    expect(await row.getByRole('button', { name: /^(Edit|Delete) / }).count()).toBe(0);
    expect(await page.locator('.toggle-all').count()).toBe(0);
    await row.getByRole('button', { name: 'Details of “Chapter one”' }).click();
    expect(await page.getByLabel('Description').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Close' }).click();

    // The link is used up.
    await page.goto(invite);
    await page.getByText(/This invite link does not work: it is unknown, already used, or expired/).waitFor();
    await expectTitles(page, []);
    expect(problems.filter((problem) => !/status of 404/.test(problem))).toEqual([]);
    await context.close();
    await owner.context.close();
  }, 120_000);
});
