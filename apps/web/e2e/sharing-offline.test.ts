// A write queued offline in a shared list, refused when it is sent because the member lost the
// list meanwhile, is dropped with a notice: never retried, never kept in the offline queue.
import type { Browser } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  type App,
  addTodos,
  hasChromium,
  liveStreamOpen,
  mailFolder,
  openAsNewUser,
  settled,
  withAppAndBrowser,
} from './harness.ts';
import { callApi, shareThroughApi, verifyEmail } from './sharing.ts';

const mail = mailFolder('sharing-offline');
const MAIL_DIR = mail.dir;
const OFFLINE_NOISE = [/ERR_INTERNET_DISCONNECTED/, /status of 404/, /Failed to load resource/];

describe.skipIf(!hasChromium)('sharing offline', () => {
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

  test('a queued write to a list the member lost is dropped with a notice, not retried', async () => {
    const owner = await openAsNewUser(browser, app, { name: 'Ada Owner' });
    const member = await openAsNewUser(browser, app, { name: 'Bob Member', allow: OFFLINE_NOISE });
    await verifyEmail(member.context, app, member.account, MAIL_DIR);
    const listId = await shareThroughApi(owner.page, member.page, member.account.email, 'Garden', MAIL_DIR);
    await member.page.goto(`/lists/${listId}`);
    await member.page.getByRole('heading', { name: 'Garden', level: 2 }).waitFor();
    await liveStreamOpen(member.page);

    await member.context.setOffline(true);
    await member.page.locator('.connection[data-connection="offline"]').waitFor();
    await addTodos(member.page, 'Plant tulips');
    await member.page.locator('.connection[data-state="waiting"]').waitFor();

    const { members } = await callApi<{ members: { userId: string; name: string }[] }>(
      owner.page,
      'list.members',
      { id: listId },
      'query',
    );
    const bob = members.find((each) => each.name === 'Bob Member');
    await callApi(owner.page, 'list.removeMember', { id: listId, userId: bob?.userId }, 'mutation');

    await member.context.setOffline(false);
    const notice = member.page.locator('[role="alert"]');
    await notice.getByText(/your change was dropped \(add the todo\)/).waitFor({ timeout: 10_000 });
    await expect.poll(() => new URL(member.page.url()).pathname).toBe('/');
    await settled(member.page);
    expect(await member.page.locator('.connection[data-state="waiting"]').count()).toBe(0);

    // Nothing of it reached the list, and nothing waits to be sent after a reload.
    const { items } = await callApi<{ items: { title: string }[] }>(
      owner.page,
      'todo.list',
      { listId },
      'query',
    );
    expect(items).toEqual([]);
    await member.page.reload();
    await member.page.locator('.new-todo').waitFor();
    await member.page.waitForTimeout(1_000);
    expect(await member.page.locator('.connection[data-state="waiting"]').count()).toBe(0);
    expect(member.problems).toEqual([]);
    await owner.context.close();
    await member.context.close();
  }, 90_000);
});
