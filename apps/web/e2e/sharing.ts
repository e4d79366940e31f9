// Helpers of the sharing tests: the invite link of a mail in MAIL_DIR, a verified address, a list
// made in the switcher, and an invite sent from the share dialog.
import { nextMailFile } from '@todo/server/testing-mail';
import type { BrowserContext, Page } from 'playwright-core';
import type { Account, App } from './harness.ts';

/**
 * The path of the invite link (`/invite/<token>`) in the mail to `email` whose text holds
 * `containing` (the list's name, say); waits for the server to write it to `dir`.
 */
export async function invitePath(dir: string, email: string, containing = '/invite/'): Promise<string> {
  const path = new URL((await nextMailFile(dir, email, { containing })).link).pathname;
  if (!path.startsWith('/invite/')) throw new Error(`not an invite link: ${path}`);
  return path;
}

/** Verifies `account`'s address the way its owner would: the mailed link, opened. */
export async function verifyEmail(context: BrowserContext, app: App, account: Account, mailDir: string) {
  const sent = await context.request.post('/api/auth/send-verification-email', {
    data: { email: account.email, callbackURL: '/' },
    headers: { origin: app.url },
  });
  if (!sent.ok()) throw new Error(`verification mail: ${sent.status()}`);
  const { link } = await nextMailFile(mailDir, account.email, { containing: '/api/auth/verify-email' });
  const opened = await context.request.get(new URL(link).pathname + new URL(link).search);
  if (!opened.ok()) throw new Error(`verify: ${opened.status()}`);
}

/** The switcher's link of a list, by the start of its shown name. */
export function switcherLink(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Lists' }).getByRole('link', { name: new RegExp(`^${name}`) });
}

/** Makes a list in the switcher and waits for its page; returns its path. */
export async function makeList(page: Page, name: string): Promise<string> {
  await page.getByRole('button', { name: '+ New list' }).click();
  await page.getByRole('textbox', { name: 'New list name' }).fill(name);
  await page.getByRole('textbox', { name: 'New list name' }).press('Enter');
  await page.waitForURL(/\/lists\/[0-9a-f-]{36}$/);
  await page.getByRole('heading', { name, level: 2 }).waitFor();
  return new URL(page.url()).pathname;
}

/** Invites `email` from the open list's share dialog and leaves the dialog open. */
export async function inviteFromDialog(page: Page, email: string, role: 'editor' | 'viewer' = 'editor') {
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Email to invite' }).fill(email);
  await dialog.getByRole('combobox', { name: 'Role', exact: true }).selectOption(role);
  await dialog.getByRole('button', { name: 'Invite', exact: true }).click();
  await dialog.getByText(`Invite sent to ${email}.`).waitFor();
  return dialog;
}

/** Calls a tRPC procedure from inside the page (its cookie): a mutation by POST, a query by GET. */
export async function callApi<T>(page: Page, path: string, input: unknown, kind: 'query' | 'mutation') {
  return page.evaluate(
    async ({ path, input, kind }) => {
      const response =
        kind === 'query'
          ? await fetch(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`)
          : await fetch(`/api/trpc/${path}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(input),
            });
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      return ((await response.json()) as { result: { data: unknown } }).result.data;
    },
    { path, input, kind },
  ) as Promise<T>;
}

/** Shares a new list of `owner`'s with `member` (verified) through the API; returns its id. */
export async function shareThroughApi(
  owner: Page,
  member: Page,
  memberEmail: string,
  name: string,
  mailDir: string,
) {
  const list = await callApi<{ id: string }>(owner, 'list.create', { name }, 'mutation');
  await callApi(owner, 'list.invite', { id: list.id, email: memberEmail, role: 'editor' }, 'mutation');
  const token = (await invitePath(mailDir, memberEmail, name)).split('/').at(-1);
  await callApi(member, 'invite.accept', { token }, 'mutation');
  return list.id;
}
