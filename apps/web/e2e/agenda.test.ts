// Today and Upcoming (issue 27): every list's todos by due date, in the browser's zone on a fixed
// clock: overdue and due today, then the next 7 days day by day. Reached from the switcher by
// keyboard; rows toggle, open details and delete (with undo) as in a list; changes made
// elsewhere show live; offline, they show from the cache and the changes wait.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { type App, hasChromium, liveStreamOpen, openAsNewUser, todo, withAppAndBrowser } from './harness.ts';

const LONG_MS = 90_000;
const ZONE = 'Europe/Berlin';
/** Monday 7 December 2026, 11:00 in Berlin. */
const NOW = new Date('2026-12-07T10:00:00Z');
const OFFLINE_NOISE = [/ERR_INTERNET_DISCONNECTED/, /Failed to load resource/];

/** Calls the API from inside the page (same cookie). */
function call<T>(page: Page, path: string, input: unknown): Promise<T> {
  return page.evaluate(
    async ([procedure, body]) => {
      const response = await fetch(`/api/trpc/${procedure}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${procedure} failed: ${response.status}`);
      return ((await response.json()) as { result: { data: unknown } }).result.data;
    },
    [path, input] as const,
  ) as Promise<T>;
}

type Created = { id: string };

/** Ada's week: todos in her Inbox and in "Work", due at times around now, Berlin time. */
async function seedWeek(page: Page) {
  const work = await call<Created>(page, 'list.create', { name: 'Work' });
  const add = (title: string, dueAt: string | null, extra: Record<string, unknown> = {}) =>
    call<Created>(page, 'todo.create', { title, dueAt, ...extra });
  await add('Pay rent', '2026-12-06T08:00:00.000Z', { priority: 'high' }); // yesterday 09:00
  const done = await add('Done last week', '2026-12-01T08:00:00.000Z');
  await call(page, 'todo.update', { id: done.id, completed: true });
  await add('Call mum', '2026-12-07T17:00:00.000Z', { description: 'about Sunday' }); // today 18:00
  await add('No date', null);
  await add('Send the report', '2026-12-06T23:00:00.000Z', { listId: work.id }); // today, all day
  await add('Team lunch', '2026-12-08T11:30:00.000Z', { listId: work.id }); // tomorrow 12:30
  await add('Dentist', '2026-12-10T08:00:00.000Z'); // Thursday 09:00
  await add('Next month', '2027-01-07T08:00:00.000Z', { listId: work.id });
  return work.id;
}

/** The headings of the view and the titles under each, in order. */
function shownGroups(page: Page) {
  return page.locator('.agenda-group').evaluateAll((groups) =>
    groups.map((group) => ({
      day: group.querySelector('h2')?.textContent ?? '',
      todos: [...group.querySelectorAll('.todo-list li label')].map((label) => label.textContent),
    })),
  );
}

async function agendaSettled(page: Page) {
  await page.waitForTimeout(100);
  await page.locator('.agenda[data-sync="idle"]').waitFor();
}

async function serverTodo(context: BrowserContext, title: string) {
  const input = encodeURIComponent(JSON.stringify({ allLists: true, order: 'due', limit: 100 }));
  const response = await context.request.get(`/api/trpc/todo.list?input=${input}`);
  const body = (await response.json()) as {
    result: { data: { items: { title: string; completed: boolean }[] } };
  };
  return body.result.data.items.find((item) => item.title === title);
}

describe.skipIf(!hasChromium)('Today and Upcoming', () => {
  let app: App;
  let browser: Parameters<Parameters<typeof withAppAndBrowser>[1]>[1];
  withAppAndBrowser('pglite', (started, launched) => {
    app = started;
    browser = launched;
  });

  test(
    'reached by keyboard from the switcher, they show every list’s todos by day in the browser’s zone',
    async () => {
      const { context, page, problems } = await openAsNewUser(browser, app, { timezoneId: ZONE, now: NOW });
      await seedWeek(page);

      const today = page.getByRole('navigation', { name: 'Lists' }).getByRole('link', { name: 'Today' });
      await today.focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/today$/);
      await agendaSettled(page);
      expect(await shownGroups(page)).toEqual([
        { day: 'Overdue', todos: ['Pay rent'] },
        { day: 'Today Mon 7 Dec 2026', todos: ['Send the report', 'Call mum'] },
      ]);
      expect(await page.getByRole('link', { name: 'Today' }).getAttribute('aria-current')).toBe('page');

      await page.getByRole('link', { name: 'Upcoming' }).click();
      await page.waitForURL(/\/upcoming$/);
      await agendaSettled(page);
      expect(await shownGroups(page)).toEqual([
        { day: 'Tomorrow', todos: ['Team lunch'] },
        { day: 'Wed 9 Dec', todos: [] },
        { day: 'Thu 10 Dec', todos: ['Dentist'] },
        { day: 'Fri 11 Dec', todos: [] },
        { day: 'Sat 12 Dec', todos: [] },
        { day: 'Sun 13 Dec', todos: [] },
        { day: 'Mon 14 Dec', todos: [] },
      ]);

      // A reload keeps the view; the Inbox is still TodoMVC's at `/`, with its filters.
      await page.reload();
      await page.locator('.agenda h1', { hasText: 'Upcoming' }).waitFor();
      await page.getByRole('link', { name: 'Inbox' }).click();
      await page.waitForURL((url) => url.pathname === '/');
      await page.locator('.todoapp .new-todo').waitFor();
      await page.getByRole('link', { name: 'Active' }).click();
      await expect
        .poll(() => page.locator('.todo-list li label').allTextContents())
        .toEqual(['Pay rent', 'Call mum', 'No date', 'Dentist']);
      expect(problems).toEqual([]);
      await context.close();
    },
    LONG_MS,
  );

  test(
    'rows toggle, open their details and delete with undo; another tab’s changes arrive live',
    async () => {
      const { context, page, problems } = await openAsNewUser(browser, app, { timezoneId: ZONE, now: NOW });
      await seedWeek(page);
      await page.goto('/today');
      await liveStreamOpen(page);
      await agendaSettled(page);

      await todo(page, 'Call mum').locator('.toggle').click();
      await expect.poll(() => todo(page, 'Call mum').getAttribute('class')).toContain('completed');
      await agendaSettled(page);
      expect((await serverTodo(context, 'Call mum'))?.completed).toBe(true);
      // Done today stays in sight, ticked off.
      expect((await shownGroups(page))[1]?.todos).toEqual(['Send the report', 'Call mum']);

      await todo(page, 'Call mum').getByRole('button', { name: 'Details of “Call mum”' }).click();
      await expect.poll(() => page.getByLabel('Description').inputValue()).toBe('about Sunday');
      await page.keyboard.press('Escape');

      await todo(page, 'Pay rent').hover();
      await todo(page, 'Pay rent').locator('.destroy').click();
      await expect
        .poll(async () => (await shownGroups(page)).map((group) => group.day))
        .toEqual(['Today Mon 7 Dec 2026']);
      await page.locator('.undo').getByRole('button', { name: 'Undo' }).click();
      await expect
        .poll(async () => (await shownGroups(page))[0])
        .toEqual({ day: 'Overdue', todos: ['Pay rent'] });
      await agendaSettled(page);
      expect(await serverTodo(context, 'Pay rent')).toMatchObject({ title: 'Pay rent', completed: false });

      // Another tab adds one due this afternoon: this view shows it in its place, without a reload.
      const other = await context.newPage();
      await other.clock.setFixedTime(NOW);
      await other.goto('/');
      await other.locator('.new-todo').waitFor();
      await call(other, 'todo.create', { title: 'Buy flowers', dueAt: '2026-12-07T14:00:00.000Z' });
      await expect
        .poll(async () => (await shownGroups(page))[1]?.todos)
        .toEqual(['Send the report', 'Buy flowers', 'Call mum']);
      expect(problems).toEqual([]);
      await context.close();
    },
    LONG_MS,
  );

  test(
    'offline, the views show from the cache and their changes wait',
    async () => {
      const { context, page, problems } = await openAsNewUser(browser, app, {
        timezoneId: ZONE,
        now: NOW,
        allow: OFFLINE_NOISE,
      });
      await seedWeek(page);
      await page.goto('/upcoming');
      await liveStreamOpen(page);
      await agendaSettled(page);
      await page.getByRole('link', { name: 'Today' }).click();
      await agendaSettled(page);

      await context.setOffline(true);
      await page.locator('.connection[data-connection="offline"]').waitFor();
      await page.getByRole('link', { name: 'Upcoming' }).click();
      await expect
        .poll(async () => (await shownGroups(page))[0])
        .toEqual({ day: 'Tomorrow', todos: ['Team lunch'] });
      await todo(page, 'Team lunch').locator('.toggle').click();
      await expect.poll(() => todo(page, 'Team lunch').getAttribute('class')).toContain('completed');
      await expect.poll(() => page.locator('.connection').textContent()).toBe('Offline: 1 change waiting');
      expect((await serverTodo(context, 'Team lunch'))?.completed).toBe(false);

      await context.setOffline(false);
      await expect
        .poll(async () => (await serverTodo(context, 'Team lunch'))?.completed, { timeout: 20_000 })
        .toBe(true);
      expect(problems).toEqual([]);
      await context.close();
    },
    LONG_MS,
  );
});
