// The account page (/account), "Forgot password?" and the reset page, in a real browser
// against the real server: name, password, sessions, export and import, deletion, and a reset
// mail followed from the .eml file the server writes when no SMTP server is configured.
//
// Over 400 lines, kept together: the account page and forgot password share their helpers (the
// mail folder, sign-up, the server's .eml files), and each part shares one server across its tests.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mailFiles, nextMailFile } from '@todo/server/testing-mail';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  type Account,
  type App,
  createThroughApi,
  expectTitles,
  hasChromium,
  mailFolder,
  newAccount,
  newContext,
  openAsNewUser,
  settled,
  signUpThroughApi,
  startApp,
  watchConsole,
  withAppAndBrowser,
} from './harness.ts';

const mail = mailFolder('account');
const MAIL_DIR = mail.dir;

/** Messages the browser logs for requests the tests make fail on purpose. */
const REFUSED = [/status of 40[0-3]/];

async function openAccountPage(page: Page) {
  // A step that cannot happen fails with its locator, not with the test's timeout.
  page.setDefaultTimeout(10_000);
  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/account');
}

/** Signs in through the sign-in form of a page showing it. */
async function signInWithForm(page: Page, account: Pick<Account, 'email' | 'password'>) {
  await page.getByLabel('Email', { exact: true }).fill(account.email);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** A sign-in over the API, as another device would: its own cookie in `context`. */
async function signInThroughApi(context: BrowserContext, app: App, account: Account) {
  return context.request.post('/api/auth/sign-in/email', {
    data: { email: account.email, password: account.password },
    headers: { origin: app.url },
  });
}

describe.skipIf(!hasChromium)('the account page', () => {
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

  test('is a path route next to the hash filters, and changes the name', async () => {
    const { context, page, problems } = await openAsNewUser(browser, app, { path: '/#/active', name: 'Ada' });
    await openAccountPage(page);
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Your account');

    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('');
    await page.getByRole('button', { name: 'Save name' }).click();
    expect(await page.locator('.field-error').textContent()).toBe('Enter your name.');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Ada Lovelace');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('status').getByText('Your name is saved.').waitFor();

    // A reload of /account opens it again (the server answers index.html for the path).
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Name', exact: true }).inputValue()).toBe('Ada Lovelace');

    await page.getByRole('link', { name: 'Back to my todos' }).click();
    await page.locator('.new-todo').waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.locator('.topbar-user').textContent()).toBe('Signed in as Ada Lovelace');
    // The browser's Back returns to the account page, Forward to the list; the filters still work.
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    await page.goForward();
    await page.locator('.new-todo').waitFor();
    await page.goto('/#/completed');
    await createThroughApi(page, ['Open one']);
    await page.reload();
    await page.locator('.filters a.selected').getByText('Completed').waitFor();
    expect(await page.locator('.todo-list li').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('changes the password, refusing a wrong current one; the new one signs in', async () => {
    const { context, page, account, problems } = await openAsNewUser(browser, app, { allow: REFUSED });
    await openAccountPage(page);
    const current = page.getByLabel('Current password');
    const next = page.getByLabel('New password');

    await current.fill('not-my-password');
    await next.fill('a-new-password-7');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').getByText('That password is not right.').waitFor();

    await current.fill(account.password);
    await next.fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    expect(await page.locator('.field-error').textContent()).toBe('Use at least 8 characters.');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('name')))
      .toBe('new-password');

    await next.fill('a-new-password-7');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page
      .getByRole('status')
      .getByText('Your password is changed, and your other devices are signed out.')
      .waitFor();
    expect(await current.inputValue()).toBe('');

    // This device stays signed in; the old password no longer opens the account, the new one does.
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await signInWithForm(page, account);
    await page
      .getByRole('alert')
      .getByText(/do not match/)
      .waitFor();
    await signInWithForm(page, { email: account.email, password: 'a-new-password-7' });
    await page.locator('.new-todo').waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  test("lists this device and another one, and signing the other out ends that device's session", async () => {
    const { context, page, account, problems } = await openAsNewUser(browser, app, { allow: REFUSED });
    const other = await newContext(browser, app);
    expect((await signInThroughApi(other, app, account)).ok()).toBe(true);
    const otherPage = await other.newPage();
    await otherPage.goto('/');
    await otherPage.locator('.new-todo').waitFor();

    await openAccountPage(page);
    const sessions = page.locator('.sessions li');
    await expect.poll(() => sessions.count()).toBe(2);
    const mine = sessions.filter({ hasText: 'This device' });
    expect(await mine.count()).toBe(1);
    expect(await mine.getByRole('button').count()).toBe(0);
    expect(await mine.textContent()).toContain('Chrome on Linux');

    const theirs = sessions.filter({ hasNotText: 'This device' });
    const signOutOther = theirs.getByRole('button', { name: /^Sign out Chrome on Linux, signed in / });
    await signOutOther.click();
    await page.getByRole('status').getByText('Chrome on Linux is signed out.').waitFor();
    await expect.poll(() => sessions.count()).toBe(1);

    // The other device's live stream ends with its session, at once: it goes back to sign-in
    // by itself, and its requests are refused.
    await otherPage.getByText('Your session has ended. Sign in again to continue.').waitFor();
    await otherPage.getByLabel('Email', { exact: true }).waitFor();
    const refused = await other.request.get('/api/trpc/todo.counts');
    expect(refused.status()).toBe(401);

    // This device is still signed in.
    await page.getByRole('link', { name: 'Back to my todos' }).click();
    await page.locator('.new-todo').waitFor();
    expect(problems).toEqual([]);
    await other.close();
    await context.close();
  });

  test('downloads the data as JSON, and importing that file into another account adds the todos', async () => {
    const first = await openAsNewUser(browser, app, { name: 'Exporter' });
    await createThroughApi(first.page, ['Buy oat milk', 'Call the dentist', 'Water the plants']);
    await first.page.reload();
    await first.page.locator('.todo-list li').nth(2).waitFor();
    await first.page
      .locator('.todo-list li')
      .filter({ hasText: 'Call the dentist' })
      .locator('.toggle')
      .click();
    await settled(first.page);
    await openAccountPage(first.page);

    const [download] = await Promise.all([
      first.page.waitForEvent('download'),
      first.page.getByRole('button', { name: 'Download my data' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^todos-\d{4}-\d{2}-\d{2}\.json$/);
    const file = join(MAIL_DIR, '..', `todo-web-export-${Date.now()}.json`);
    await download.saveAs(file);
    const exported = JSON.parse(readFileSync(file, 'utf8')) as {
      user: { email: string };
      todos: { title: string; completed: boolean }[];
    };
    expect(exported.user.email).toBe(first.account.email);
    expect(exported.todos.map((todo) => todo.title).sort()).toEqual([
      'Buy oat milk',
      'Call the dentist',
      'Water the plants',
    ]);
    expect(exported.todos.find((todo) => todo.title === 'Call the dentist')?.completed).toBe(true);
    await first.page
      .getByRole('status')
      .getByText(/^Downloaded todos-.*\.json with 3 todos\.$/)
      .waitFor();

    // On the same server the ids exist already (the exporter's): another account's import skips
    // them all and touches nothing of the exporter's.
    const neighbour = await openAsNewUser(browser, app, { name: 'Neighbour' });
    await openAccountPage(neighbour.page);
    await neighbour.page.getByLabel('Import a file…').setInputFiles(file);
    await neighbour.page
      .getByRole('status')
      .getByText(/0 todos added, 3 already there and skipped\./)
      .waitFor();
    await neighbour.page.getByRole('link', { name: 'Back to my todos' }).click();
    await expectTitles(neighbour.page, []);
    await neighbour.context.close();
    await first.page.getByRole('link', { name: 'Back to my todos' }).click();
    await expectTitles(first.page, ['Buy oat milk', 'Call the dentist', 'Water the plants']);

    // Moving to another server: the import adds them all there.
    const elsewhere = await startApp('pglite', mail.env);
    const second = await openAsNewUser(browser, elsewhere, { name: 'Importer', allow: REFUSED });
    await openAccountPage(second.page);
    const chooser = second.page.getByLabel('Import a file…');
    await chooser.setInputFiles(file);
    await second.page
      .getByRole('status')
      .getByText(/3 todos added, 0 already there and skipped\./)
      .waitFor();
    // The same file again: every id exists, nothing is added.
    await chooser.setInputFiles(file);
    await second.page
      .getByRole('status')
      .getByText(/0 todos added, 3 already there and skipped\./)
      .waitFor();

    // A file that is not an export, and one that is not JSON: refused, nothing changed.
    const broken = `${file}.broken.json`;
    writeFileSync(broken, JSON.stringify({ todos: [{ id: 'not-a-uuid', title: '' }] }));
    await chooser.setInputFiles(broken);
    await second.page
      .getByRole('status')
      .getByText(
        'This file cannot be imported (todos.0.id: must be a todo id (uuid); todos.0.title: must not be empty). Nothing was changed.',
      )
      .waitFor();
    const garbage = `${file}.txt`;
    writeFileSync(garbage, 'title,completed\nmilk,false\n');
    await chooser.setInputFiles(garbage);
    await second.page
      .getByRole('status')
      .getByText(/is not a JSON file\. Nothing was changed\./)
      .waitFor();

    await second.page.getByRole('link', { name: 'Back to my todos' }).click();
    await expectTitles(second.page, ['Buy oat milk', 'Call the dentist', 'Water the plants']);
    expect(await second.page.locator('.todo-list li.completed label').allTextContents()).toEqual([
      'Call the dentist',
    ]);
    expect(first.problems).toEqual([]);
    expect(second.problems).toEqual([]);
    for (const path of [file, broken, garbage]) rmSync(path, { force: true });
    await first.context.close();
    await second.context.close();
    await elsewhere.close();
  }, 90_000);

  test('deletes the account only with the right email and password; then it cannot sign in', async () => {
    const { context, page, account, problems } = await openAsNewUser(browser, app, { allow: REFUSED });
    await createThroughApi(page, ['Something of mine']);
    await openAccountPage(page);
    const email = page.getByLabel('Your email');
    const password = page.getByLabel('Your password');
    const remove = page.getByRole('button', { name: 'Delete my account' });

    await email.fill('someone-else@example.com');
    await password.fill(account.password);
    await remove.click();
    expect(await page.locator('.card-danger .field-error').textContent()).toBe(
      `Type your email, ${account.email}, to confirm.`,
    );
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('name')))
      .toBe('confirm-email');

    await email.fill(account.email.toUpperCase());
    await password.fill('not-my-password');
    await remove.click();
    await page.getByRole('status').getByText('That password is not right.').waitFor();
    expect((await context.request.get('/api/trpc/todo.counts')).status()).toBe(200);

    await password.fill(account.password);
    await remove.click();
    await page.getByText('Your account and everything in it are deleted. Goodbye!').waitFor();
    expect(new URL(page.url()).pathname).toBe('/');

    await signInWithForm(page, account);
    await page
      .getByRole('alert')
      .getByText(/do not match/)
      .waitFor();
    const again = await newContext(browser, app);
    expect((await signInThroughApi(again, app, account)).status()).toBe(401);
    expect(problems).toEqual([]);
    await again.close();
    await context.close();
  });

  test('works from the keyboard: the header link, the fields in order, and the way back', async () => {
    const { context, page, problems } = await openAsNewUser(browser, app, { name: 'Keys' });
    const focused = () =>
      page.evaluate(
        () => document.activeElement?.getAttribute('name') ?? document.activeElement?.textContent,
      );
    await page.getByRole('link', { name: 'Account' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    // The page's heading has focus, so a screen reader announces the new page; Tab goes on from there.
    await expect.poll(focused).toBe('Your account');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('name');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Keyboard User');
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('Your name is saved.').waitFor();
    for (const name of ['current-password', 'new-password']) {
      await page.keyboard.press('Tab');
      if ((await focused()) !== name) await page.keyboard.press('Tab');
      expect(await focused()).toBe(name);
    }
    // The import's file input is reachable, and shows focus on its visible button.
    await page.getByLabel('Import a file…').focus();
    const outline = await page
      .locator('.file-button')
      .evaluate((element) => getComputedStyle(element).outlineStyle);
    expect(outline).toBe('solid');
    await page.getByRole('link', { name: 'Back to my todos' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.className)).toBe('new-todo');
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a signed-out visit to /account shows sign-in, then the account page', async () => {
    const account = newAccount('Grace');
    const setup = await newContext(browser, app);
    await signUpThroughApi(setup, app, account);
    await setup.close();
    const context = await newContext(browser, app);
    const page = await context.newPage();
    await page.goto('/account');
    await signInWithForm(page, account);
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    await context.close();
  });
});

describe.skipIf(!hasChromium)('forgot password', () => {
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

  test('mails a link; the reset page sets a new password that signs in, and the link works once', async () => {
    const account = newAccount('Forgetful');
    const setup = await newContext(browser, app);
    await signUpThroughApi(setup, app, account);
    await setup.close();

    const context = await newContext(browser, app);
    const page = await context.newPage();
    const problems = watchConsole(page, REFUSED);
    await page.goto('/');
    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('email');

    // An address with no account gets the very same answer, and no mail.
    const nobody = newAccount().email;
    await page.getByLabel('Email', { exact: true }).fill(nobody);
    await page.getByRole('button', { name: 'Send me a reset link' }).click();
    const sent = page.getByRole('status').getByText(/^If an account exists for that email, we sent a link/);
    await sent.waitFor();
    const answerForNobody = await sent.textContent();

    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email', { exact: true }).fill(account.email);
    await page.getByRole('button', { name: 'Send me a reset link' }).click();
    await sent.waitFor();
    expect(await sent.textContent()).toBe(answerForNobody);

    const { link } = await nextMailFile(MAIL_DIR, account.email, { containing: '/reset-password?token=' });
    // The server's public URL (localhost) on this server's port: the web app's own page.
    expect(new URL(link).port).toBe(new URL(app.url).port);
    expect(new URL(link).pathname).toBe('/reset-password');
    expect((await mailFiles(MAIL_DIR)).map((mail) => mail.to)).not.toContain(nobody);

    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill('my-brand-new-pass');
    await page.getByLabel('New password, again').fill('my-brand-new-pasS');
    await page.getByRole('button', { name: 'Set new password' }).click();
    expect(await page.locator('.field-error').textContent()).toBe('The two passwords are not the same.');
    await page.getByLabel('New password, again').fill('my-brand-new-pass');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page
      .getByRole('status')
      .getByText(/Your password is changed/)
      .waitFor();
    // The spent token is gone from the address.
    expect(page.url()).toBe(`${new URL(link).origin}/reset-password`);

    await page.getByRole('link', { name: 'Sign in' }).click();
    await signInWithForm(page, account);
    await page
      .getByRole('alert')
      .getByText(/do not match/)
      .waitFor();
    await signInWithForm(page, { email: account.email, password: 'my-brand-new-pass' });
    await page.locator('.new-todo').waitFor();

    // The same link a second time: refused, in plain words, with a way to ask for a new one.
    const replay = await browser.newContext({ baseURL: app.url });
    const replayPage = await replay.newPage();
    await replayPage.goto(link);
    await replayPage.getByLabel('New password', { exact: true }).fill('yet-another-pass-1');
    await replayPage.getByLabel('New password, again').fill('yet-another-pass-1');
    await replayPage.getByRole('button', { name: 'Set new password' }).click();
    await replayPage
      .getByRole('alert')
      .getByText(/This reset link is invalid or has expired/)
      .waitFor();
    await replayPage.getByRole('link', { name: 'Ask for a new link' }).click();
    await replayPage.getByRole('heading', { name: 'Reset your password' }).waitFor();
    expect(problems).toEqual([]);
    await replay.close();
    await context.close();
  });

  test('a production server that cannot send mail offers no "Forgot password?", and its page says why', async () => {
    // Configured for a PostgreSQL server with neither MAIL_URL nor MAIL_DIR, as a deployment
    // may be; the harness hands it its test database.
    const production = await startApp('pglite', { DATABASE_URL: 'postgres://todo@db.internal/todo' });
    const context = await newContext(browser, production);
    const page = await context.newPage();
    const problems = watchConsole(page, REFUSED);
    const health = page.waitForResponse((response) => new URL(response.url()).pathname === '/healthz');
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await health;
    await expect.poll(() => page.getByRole('button', { name: 'Forgot password?' }).count()).toBe(0);
    // The page's own address (a bookmark, an old mail) still explains itself.
    await page.goto('/forgot-password');
    await page.getByLabel('Email', { exact: true }).fill(newAccount().email);
    await page.getByRole('button', { name: 'Send me a reset link' }).click();
    await page
      .getByRole('alert')
      .getByText(/^This server cannot send email/)
      .waitFor();
    expect(await page.getByText(/^If an account exists/).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
    await production.close();
  });

  test('a reset page without a token says the link is not valid', async () => {
    const context = await newContext(browser, app);
    const page = await context.newPage();
    await page.goto('/reset-password');
    await page
      .getByRole('alert')
      .getByText(/This reset link is invalid or has expired/)
      .waitFor();
    expect(await page.getByLabel('New password', { exact: true }).count()).toBe(0);
    await context.close();
  });
});
