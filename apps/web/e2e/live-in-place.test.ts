// Live changes fold in place: three tabs of one user, in the default view (their own order),
// show every change another client makes (add, edit, complete, reopen, move, delete) without
// reading the list again. Each upsert carries the todo's position, so a move says where it went.
import { createTodoClient, signIn } from '@todo/client';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  type App,
  counterText,
  drivers,
  expectTitles,
  hasChromium,
  liveStreamOpen,
  newAccount,
  newContext,
  settled,
  signUpThroughApi,
  watchConsole,
  withAppAndBrowser,
} from './harness.ts';

/** The `todo.list` reads a page makes, batched with other calls or not. */
function countListReads(page: Page): () => number {
  let reads = 0;
  page.on('request', (request) => {
    const procedures = new URL(request.url()).pathname.replace('/api/trpc/', '').split(',');
    if (procedures.includes('todo.list')) reads += 1;
  });
  return () => reads;
}

const completedFlags = (page: Page) =>
  page.locator('.todo-list li').evaluateAll((items) => items.map((li) => li.classList.contains('completed')));

describe.skipIf(!hasChromium).each(drivers)('live changes fold in place (%s)', (driver) => {
  let app: App;
  let browser: Browser;
  withAppAndBrowser(driver, (started, launched) => {
    app = started;
    browser = launched;
  });

  test("three tabs show another client's every change with no list request after their first load", async () => {
    const account = newAccount('Ada Lovelace');
    const context = await newContext(browser, app);
    await signUpThroughApi(context, app, account);
    const { token } = await signIn({ url: app.url, email: account.email, password: account.password });
    const api = createTodoClient({ url: app.url, token });
    const milk = await api.todo.create.mutate({ title: 'Buy milk' });
    const rent = await api.todo.create.mutate({ title: 'Pay rent' });

    const tabs: { page: Page; problems: string[]; listReads: () => number }[] = [];
    for (let index = 0; index < 3; index += 1) {
      const page = await context.newPage();
      const problems = watchConsole(page);
      await page.goto('/');
      await liveStreamOpen(page);
      await settled(page);
      await expectTitles(page, ['Buy milk', 'Pay rent']);
      // From here on: the first load (the list, and its read when the stream starts) is over.
      tabs.push({ page, problems, listReads: countListReads(page) });
    }
    const everyTab = (check: (page: Page) => Promise<void>) =>
      Promise.all(tabs.map(({ page }) => check(page)));
    const showTitles = (titles: string[]) => everyTab((page) => expectTitles(page, titles));

    const call = await api.todo.create.mutate({ title: 'Call mum' });
    await showTitles(['Buy milk', 'Pay rent', 'Call mum']);
    await api.todo.update.mutate({ id: rent.id, title: 'Pay the rent' });
    await showTitles(['Buy milk', 'Pay the rent', 'Call mum']);

    await api.todo.update.mutate({ id: milk.id, completed: true });
    await everyTab(async (page) => {
      await expect.poll(() => completedFlags(page)).toEqual([true, false, false]);
      await expect.poll(() => counterText(page)).toBe('2 items left');
    });
    await api.todo.update.mutate({ id: milk.id, completed: false });
    await everyTab(async (page) => {
      await expect.poll(() => completedFlags(page)).toEqual([false, false, false]);
      await expect.poll(() => counterText(page)).toBe('3 items left');
    });

    await api.todo.move.mutate({ id: call.id, afterId: null });
    await showTitles(['Call mum', 'Buy milk', 'Pay the rent']);
    await api.todo.move.mutate({ id: call.id, afterId: rent.id });
    await showTitles(['Buy milk', 'Pay the rent', 'Call mum']);
    await api.todo.move.mutate({ id: call.id, afterId: milk.id });
    await showTitles(['Buy milk', 'Call mum', 'Pay the rent']);

    await api.todo.delete.mutate({ id: milk.id });
    await showTitles(['Call mum', 'Pay the rent']);
    await everyTab(async (page) => {
      await expect.poll(() => counterText(page)).toBe('2 items left');
      await settled(page);
    });

    expect(tabs.map((tab) => tab.listReads())).toEqual([0, 0, 0]);
    expect(tabs.flatMap((tab) => tab.problems)).toEqual([]);
    await context.close();
  });
});
