import type { Browser } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  type App,
  hasChromium,
  newAccount,
  newContext,
  signUpThroughApi,
  watchConsole,
  withAppAndBrowser,
} from './harness.ts';

describe.skipIf(!hasChromium)('accounts', () => {
  let app: App;
  let browser: Browser;

  withAppAndBrowser('pglite', (started, launched) => {
    app = started;
    browser = launched;
  });

  test('signs up with Name, Email and Password and lands on an empty list', async () => {
    const context = await newContext(browser, app);
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto('/');
    await page.getByRole('button', { name: 'Create an account' }).click();
    const account = newAccount('Ada Lovelace');
    await page.getByLabel('Name', { exact: true }).fill(account.name);
    await page.getByLabel('Email', { exact: true }).fill(account.email);
    await page.getByLabel('Password', { exact: true }).fill(account.password);
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.locator('.new-todo').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.className)).toBe('new-todo');
    expect(await page.locator('.topbar-user').textContent()).toContain('Ada Lovelace');
    expect(await page.locator('.todo-list li').count()).toBe(0);
    expect(await page.locator('.main').count()).toBe(0);
    expect(await page.locator('.footer').count()).toBe(0);
    // Nothing about the session lives in the page's storage: the httpOnly cookie is all.
    expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
    const cookies = await context.cookies();
    expect(cookies.find((cookie) => cookie.name.includes('session_token'))?.httpOnly).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('signs in, and a signed-in visitor goes straight to the list', async () => {
    const account = newAccount();
    const setup = await newContext(browser, app);
    await signUpThroughApi(setup, app, account);
    await setup.close();

    const context = await newContext(browser, app);
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Email', { exact: true }).fill(account.email);
    await page.getByLabel('Password', { exact: true }).fill(account.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.new-todo').waitFor();

    const again = await context.newPage();
    await again.goto('/');
    await again.locator('.new-todo').waitFor();
    expect(await again.getByLabel('Email', { exact: true }).count()).toBe(0);
    await context.close();
  });

  test('a failed sign-in says so without telling whether the email exists', async () => {
    const account = newAccount();
    const context = await newContext(browser, app);
    await signUpThroughApi(context, app, account);
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto('/');

    const attempt = async (email: string) => {
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill('wrong-password-1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const text = await alert.textContent();
      await page.getByLabel('Password', { exact: true }).fill('');
      return text;
    };
    const known = await attempt(account.email);
    const unknown = await attempt(newAccount().email);
    expect(known).toMatch(/do not match/);
    expect(unknown).toBe(known);
    await context.close();
  });

  test('signing up with an email that is taken says so, in plain words', async () => {
    const account = newAccount();
    const context = await newContext(browser, app);
    await signUpThroughApi(context, app, account);
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Someone Else');
    await page.getByLabel('Email', { exact: true }).fill(account.email);
    await page.getByLabel('Password', { exact: true }).fill('another-password-9');
    await page.getByRole('button', { name: 'Create account' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('An account with this email already exists. Sign in instead.');
    expect(await page.locator('.new-todo').count()).toBe(0);
    await context.close();
  });

  test('explains missing or invalid fields inline', async () => {
    const context = await newContext(browser, app);
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email', { exact: true }).fill('not-an-email');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    expect(await page.locator('.field-error').allTextContents()).toEqual([
      'Enter your name.',
      'Enter a valid email address, like name@example.com.',
      'Use at least 8 characters.',
    ]);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('name');
    expect(await page.getByLabel('Email', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await context.close();
  });

  test('signs out, and the cookie no longer opens the list', async () => {
    const context = await newContext(browser, app);
    await signUpThroughApi(context, app, newAccount('Grace'));
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.locator('.new-todo').count()).toBe(0);
    await context.close();
  });

  test('an expired session (401 from the API) returns to sign-in', async () => {
    const context = await newContext(browser, app);
    await signUpThroughApi(context, app, newAccount());
    const page = await context.newPage();
    await page.goto('/');
    await page.locator('.new-todo').waitFor();
    // The session ends on the server (signed out elsewhere) while the list is open.
    await context.request.post('/api/auth/sign-out', { data: {}, headers: { origin: app.url } });
    // The app may find out by itself, before any write: when its live stream (re)connects, the
    // server refuses it. Otherwise the next write does. Either way it says so and signs out.
    const write = { timeout: 2_000 };
    await page
      .locator('.new-todo')
      .fill('Written after the session ended', write)
      .then(() => page.locator('.new-todo').press('Enter', write))
      .catch(() => undefined);
    await page.getByText('Your session has ended. Sign in again to continue.').waitFor();
    await page.getByLabel('Email', { exact: true }).waitFor();
    await context.close();
  });
});
