// Issue 13 in the browser: due dates in the person's time zone, priority marks, the details panel,
// the sort control and the search box (both in the address) and the empty states. The browser
// lives in Berlin on Tuesday 8 September 2026 at 10:00 (a fixed clock), whatever the machine says.
//
// Over 400 lines, kept together: every case runs in one browser on one fixed clock and zone, on
// one server; split, each file would start its own.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  type App,
  addTodos,
  createThroughApi,
  displayed,
  expectTitles,
  hasChromium,
  liveStreamOpen,
  newContext,
  openAsNewUser,
  settled,
  shownTitles,
  todo,
  withAppAndBrowser,
} from './harness.ts';

const BERLIN = 'Europe/Berlin';
/** Tuesday 8 September 2026, 10:00 in Berlin (summer time, UTC+2). */
const NOW = new Date('2026-09-08T08:00:00.000Z');
/** An instant given as Berlin's wall clock in September (summer time, UTC+2). */
const berlin = (date: string, time = '00:00') => new Date(`${date}T${time}:00+02:00`).toISOString();

const open = (browser: Browser, app: App, path = '/') =>
  openAsNewUser(browser, app, { timezoneId: BERLIN, now: NOW, path });

const dueText = (page: Page, title: string) => todo(page, title).locator('.due').textContent();
const detailsButton = (page: Page, title: string) =>
  page.getByRole('button', { name: `Details of “${title}”`, exact: true });
const sortSelect = (page: Page) => page.getByRole('combobox', { name: 'Sort' });
const searchBox = (page: Page) => page.getByRole('searchbox', { name: 'Search' });

describe.skipIf(!hasChromium)('due dates, priorities, details, sort, search and empty states', () => {
  let app: App;
  let browser: Browser;

  withAppAndBrowser('pglite', (started, launched) => {
    app = started;
    browser = launched;
  });

  test('due dates read in the browser’s zone; overdue ones say so; priority is a mark with a name', async () => {
    const { context, page, problems } = await open(browser, app);
    await createThroughApi(page, [
      { title: 'Pay rent', dueAt: berlin('2026-09-08', '17:00'), priority: 'high' },
      { title: 'Call mum', dueAt: berlin('2026-09-09') },
      { title: 'File taxes', dueAt: berlin('2026-09-07'), priority: 'medium' },
      { title: 'Morning run', dueAt: berlin('2026-09-08', '09:00') },
      { title: 'Book flights', dueAt: berlin('2026-09-14'), priority: 'low' },
      { title: 'Renew passport', dueAt: '2027-01-07T23:00:00.000Z' }, // midnight in Berlin's winter
      { title: 'Water the plants', dueAt: berlin('2026-09-08') },
      { title: 'Read a book' },
    ]);
    await page.reload();
    // The label still holds the title alone.
    await expectTitles(page, [
      'Pay rent',
      'Call mum',
      'File taxes',
      'Morning run',
      'Book flights',
      'Renew passport',
      'Water the plants',
      'Read a book',
    ]);
    expect(await dueText(page, 'Pay rent')).toContain('Today 17:00');
    expect(await dueText(page, 'Call mum')).toContain('Tomorrow');
    expect(await dueText(page, 'File taxes')).toContain('Yesterday');
    expect(await dueText(page, 'Morning run')).toContain('Today 09:00');
    expect(await dueText(page, 'Book flights')).toContain('Mon 14 Sep');
    expect(await dueText(page, 'Renew passport')).toContain('Fri 8 Jan 2027');
    expect(await dueText(page, 'Water the plants')).toContain('Today');
    expect(await todo(page, 'Read a book').locator('.due').count()).toBe(0);

    // Overdue: a time that has passed, a day that has passed; today's all-day todo is not yet.
    const overdue = page.locator('.todo-list li:has(.due-overdue) label');
    expect(await overdue.allTextContents()).toEqual(['File taxes', 'Morning run']);
    expect(await todo(page, 'File taxes').locator('.due').textContent()).toMatch(/^Overdue/);
    // Not colour alone: the red one's text says overdue to a screen reader, the others say due.
    expect(await todo(page, 'Call mum').locator('.due').textContent()).toMatch(/^Due/);
    expect(
      await todo(page, 'File taxes')
        .locator('.due')
        .evaluate((element) => getComputedStyle(element).color),
    ).not.toBe(
      await todo(page, 'Call mum')
        .locator('.due')
        .evaluate((element) => getComputedStyle(element).color),
    );
    // The toggle's description carries the due date and the priority.
    const toggle = todo(page, 'Pay rent').locator('.toggle');
    const describedBy = await toggle.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toContain('Today 17:00');

    // Priority marks: text, with a name.
    await expect
      .poll(() => todo(page, 'Pay rent').getByRole('img', { name: 'High priority' }).textContent())
      .toBe('!!!');
    expect(await todo(page, 'File taxes').getByRole('img', { name: 'Medium priority' }).textContent()).toBe(
      '!!',
    );
    expect(await todo(page, 'Book flights').getByRole('img', { name: 'Low priority' }).textContent()).toBe(
      '!',
    );
    expect(await todo(page, 'Call mum').locator('.priority').count()).toBe(0);

    // A completed todo is not overdue any more.
    await todo(page, 'File taxes').locator('.toggle').click();
    await expect.poll(() => overdue.allTextContents()).toEqual(['Morning run']);

    // The same todos in Tokyo (7 hours ahead): the same instants, other days and times.
    const tokyo = await newContext(browser, app, 'light', 'Asia/Tokyo');
    await tokyo.addCookies(await context.cookies());
    const there = await tokyo.newPage();
    await there.clock.setFixedTime(NOW);
    await there.goto('/');
    await expect.poll(() => dueText(there, 'Morning run')).toContain('Today 16:00');
    // Midnight in Berlin is 07:00 in Tokyo: an all-day date there is a timed one here.
    expect(await dueText(there, 'Call mum')).toContain('Tomorrow 07:00');
    expect(problems).toEqual([]);
    await tokyo.close();
    await context.close();
  });

  test('the details panel: Enter opens it, Escape closes it; what it saves persists and shows elsewhere', async () => {
    const { context, page, problems } = await open(browser, app);
    await addTodos(page, 'Plan the trip', 'Pack');
    await settled(page);

    const button = detailsButton(page, 'Plan the trip');
    expect(await button.getAttribute('aria-expanded')).toBe('false');
    await button.focus();
    await page.keyboard.press('Enter');
    const panel = page.getByRole('form', { name: 'Details of “Plan the trip”' });
    await panel.waitFor();
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    expect(await button.getAttribute('aria-controls')).toBe(await panel.getAttribute('id'));
    // Focus moves into the panel, to the description.
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await page.keyboard.type('Not saved');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    expect(await button.getAttribute('aria-expanded')).toBe('false');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe('Details of “Plan the trip”');
    expect(await todo(page, 'Plan the trip').locator('.note').count()).toBe(0);
    // The row is not being edited and its title is unchanged.
    expect(await page.locator('.todo-list li.editing').count()).toBe(0);

    // Open again, fill everything in, save.
    await page.keyboard.press('Enter');
    await panel.getByLabel('Description').fill('Flights, hotel\nand a car at the airport');
    await panel.getByLabel('Due date').fill('2026-09-10');
    await panel.getByLabel('Due time (optional)').fill('18:30');
    await panel.getByLabel('Priority').selectOption('high');
    await panel.getByRole('button', { name: 'Save' }).click();
    await panel.waitFor({ state: 'detached' });
    const row = todo(page, 'Plan the trip');
    await expect.poll(() => row.locator('.due').textContent()).toContain('Thu 10 Sep 18:30');
    expect(await row.getByRole('img', { name: 'High priority' }).count()).toBe(1);
    // The description shows as its first line.
    expect(await row.locator('.note').textContent()).toContain('Flights, hotel');
    expect(await row.locator('.note').textContent()).not.toContain('airport');
    await settled(page);

    // After a reload, and in a second browser with only the cookie.
    await page.reload();
    await expect.poll(() => dueText(page, 'Plan the trip')).toContain('Thu 10 Sep 18:30');
    await detailsButton(page, 'Plan the trip').click();
    expect(await panel.getByLabel('Description').inputValue()).toBe(
      'Flights, hotel\nand a car at the airport',
    );
    expect(await panel.getByLabel('Due date').inputValue()).toBe('2026-09-10');
    expect(await panel.getByLabel('Due time (optional)').inputValue()).toBe('18:30');
    expect(await panel.getByLabel('Priority').inputValue()).toBe('high');

    const elsewhere = await newContext(browser, app, 'light', BERLIN);
    await elsewhere.addCookies(await context.cookies());
    const second = await elsewhere.newPage();
    await second.clock.setFixedTime(NOW);
    await second.goto('/');
    await expect.poll(() => dueText(second, 'Plan the trip')).toContain('Thu 10 Sep 18:30');
    expect(await todo(second, 'Plan the trip').getByRole('img', { name: 'High priority' }).count()).toBe(1);

    // A date without a time is all day; clearing the date removes it; Ctrl+Enter saves too.
    await panel.getByLabel('Due time (optional)').fill('');
    await panel.getByLabel('Due date').fill('2026-09-09');
    await panel.getByLabel('Priority').selectOption('none');
    await panel.getByLabel('Description').press('Control+Enter');
    await panel.waitFor({ state: 'detached' });
    await expect.poll(() => dueText(page, 'Plan the trip')).toMatch(/Tomorrow$/);
    expect(await todo(page, 'Plan the trip').locator('.priority').count()).toBe(0);
    // The other browser follows live.
    await expect.poll(() => dueText(second, 'Plan the trip')).toMatch(/Tomorrow$/);

    await detailsButton(page, 'Plan the trip').click();
    await panel.getByRole('button', { name: 'No due date' }).click();
    await panel.getByLabel('Description').fill('');
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => todo(page, 'Plan the trip').locator('.todo-meta').count()).toBe(0);
    await settled(page);
    await page.reload();
    await expectTitles(page, ['Plan the trip', 'Pack']);
    expect(await todo(page, 'Plan the trip').locator('.todo-meta').count()).toBe(0);
    await expect.poll(() => todo(second, 'Plan the trip').locator('.todo-meta').count()).toBe(0);
    expect(problems).toEqual([]);
    await elsewhere.close();
    await context.close();
  });

  test('at phone width a row’s actions are behind its details: edit the title, delete the todo', async () => {
    const { context, page, problems } = await openAsNewUser(browser, app);
    await page.setViewportSize({ width: 390, height: 800 });
    await addTodos(page, 'Keep me', 'Drop me');
    const row = todo(page, 'Drop me');
    // One control on the row besides its toggle: the details chevron (the grip is the manual order's).
    expect(await row.locator('.destroy').isVisible()).toBe(false);
    expect(await row.getByRole('button', { name: 'Edit “Drop me”' }).isVisible()).toBe(false);
    const details = row.getByRole('button', { name: 'Details of “Drop me”' });
    await details.click();
    await page.getByRole('button', { name: 'Edit title' }).click();
    const edit = page.locator('.todo-list li.editing .edit');
    await edit.fill('Drop me now');
    await edit.press('Enter');
    await expectTitles(page, ['Keep me', 'Drop me now']);
    // Back on the row's one control, as after editing with ✎ at a wider width.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe('Details of “Drop me now”');
    await todo(page, 'Drop me now').getByRole('button', { name: 'Details of “Drop me now”' }).click();
    await page.getByRole('button', { name: 'Delete todo' }).click();
    await expectTitles(page, ['Keep me']);
    await settled(page);
    await page.reload();
    await expectTitles(page, ['Keep me']);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('the sort is in the address beside the filter; due and priority orders are right; a reload keeps both', async () => {
    const { context, page, problems } = await open(browser, app);
    await createThroughApi(page, [
      { title: 'Alpha', dueAt: berlin('2026-09-12'), priority: 'low' },
      { title: 'Bravo', priority: 'high' },
      { title: 'Charlie', dueAt: berlin('2026-09-09') },
      { title: 'Delta', dueAt: berlin('2026-09-09', '08:00'), priority: 'medium' },
      { title: 'Echo', priority: 'high' },
    ]);
    await page.reload();
    await expectTitles(page, ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']);
    expect(await sortSelect(page).inputValue()).toBe('manual');
    expect(new URL(page.url()).search).toBe('');

    await sortSelect(page).selectOption('due');
    // Soonest first, no due date last, ties in manual order.
    await expectTitles(page, ['Charlie', 'Delta', 'Alpha', 'Bravo', 'Echo']);
    expect(new URL(page.url()).search).toBe('?sort=due');

    await sortSelect(page).selectOption('priority');
    await expectTitles(page, ['Bravo', 'Echo', 'Delta', 'Alpha', 'Charlie']);

    await sortSelect(page).selectOption('newest');
    await expectTitles(page, ['Echo', 'Delta', 'Charlie', 'Bravo', 'Alpha']);

    // The filter link keeps the sort; the address holds both; a reload keeps both.
    await sortSelect(page).selectOption('priority');
    await todo(page, 'Echo').locator('.toggle').click();
    await page.getByRole('link', { name: 'Active' }).click();
    await expectTitles(page, ['Bravo', 'Delta', 'Alpha', 'Charlie']);
    const url = new URL(page.url());
    expect(`${url.pathname}${url.search}${url.hash}`).toBe('/?sort=priority#/active');
    await settled(page);
    await page.reload();
    await expectTitles(page, ['Bravo', 'Delta', 'Alpha', 'Charlie']);
    expect(await sortSelect(page).inputValue()).toBe('priority');
    expect(await page.locator('.filters a.selected').textContent()).toBe('Active');

    // Back to manual: the parameter goes, the filter stays.
    await sortSelect(page).selectOption('manual');
    await expectTitles(page, ['Alpha', 'Bravo', 'Charlie', 'Delta']);
    expect(new URL(page.url()).search).toBe('');
    expect(new URL(page.url()).hash).toBe('#/active');
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a change made elsewhere re-sorts a list in due order within a second or so', async () => {
    const { context, page } = await open(browser, app, '/?sort=due');
    await createThroughApi(page, [
      { title: 'Soon', dueAt: berlin('2026-09-09') },
      { title: 'Later', dueAt: berlin('2026-09-20') },
    ]);
    await expectTitles(page, ['Soon', 'Later']);
    await liveStreamOpen(page);
    // Another browser of the same person gives "Later" an earlier date.
    const other = await context.browser()?.newContext({ baseURL: app.url });
    if (!other) throw new Error('no browser');
    await other.addCookies(await context.cookies());
    const later = (
      await page.evaluate(() => fetch('/api/trpc/todo.list?input=%7B%7D').then((r) => r.json()))
    ).result.data.items.find((item: { title: string }) => item.title === 'Later');
    const response = await other.request.post('/api/trpc/todo.update', {
      data: { id: later.id, dueAt: berlin('2026-09-08', '12:00') },
      headers: { origin: app.url },
    });
    expect(response.ok()).toBe(true);
    await expectTitles(page, ['Later', 'Soon']);
    expect(await dueText(page, 'Later')).toContain('Today 12:00');
    await other.close();
    await context.close();
  });

  test('search asks the server (title or description), waits for a pause in typing, and lives in the address', async () => {
    const { context, page, problems } = await open(browser, app);
    await createThroughApi(page, [
      'Buy oat milk',
      'Call the dentist',
      { title: 'Bake a cake', description: 'Remember: MILK and eggs' },
      'Water the plants',
    ]);
    await page.reload();
    await expectTitles(page, ['Buy oat milk', 'Call the dentist', 'Bake a cake', 'Water the plants']);

    const searched = page.waitForRequest(
      (request) =>
        request.url().includes('todo.list') && decodeURIComponent(request.url()).includes('"search":"milk"'),
    );
    await searchBox(page).pressSequentially('milk', { delay: 30 });
    await searched;
    await expectTitles(page, ['Buy oat milk', 'Bake a cake']);
    expect(new URL(page.url()).searchParams.get('q')).toBe('milk');

    // A reload keeps the search, with the filter and the sort.
    await sortSelect(page).selectOption('newest');
    await expectTitles(page, ['Bake a cake', 'Buy oat milk']);
    await settled(page);
    await page.reload();
    await expectTitles(page, ['Bake a cake', 'Buy oat milk']);
    expect(await searchBox(page).inputValue()).toBe('milk');

    // Nothing matches: says so, and offers to clear the search.
    await searchBox(page).fill('zebra');
    const empty = page.getByText('No todos match “zebra”');
    await empty.waitFor();
    await expectTitles(page, []);
    expect(await displayed(page, '.main')).toBe(true);
    expect(await displayed(page, '.footer')).toBe(true);
    expect(await page.locator('.todo-count').textContent()).toBe('4 items left');
    await page.getByRole('button', { name: 'Clear search' }).click();
    await expectTitles(page, ['Water the plants', 'Bake a cake', 'Call the dentist', 'Buy oat milk']);
    expect(new URL(page.url()).searchParams.get('q')).toBeNull();
    expect(await searchBox(page).inputValue()).toBe('');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');
    expect(await empty.count()).toBe(0);

    // A todo added during a search that it matches appears at once; one that does not, not.
    await sortSelect(page).selectOption('manual');
    await searchBox(page).fill('plant');
    await expectTitles(page, ['Water the plants']);
    await addTodos(page, 'Repot the plant', 'Buy stamps');
    await expectTitles(page, ['Water the plants', 'Repot the plant']);
    await settled(page);
    await expectTitles(page, ['Water the plants', 'Repot the plant']);
    expect(await page.locator('.todo-count').textContent()).toBe('6 items left');
    expect(problems).toEqual([]);
    await context.close();
  });

  test('empty states: the first todo, nothing left, nothing completed', async () => {
    const { context, page, problems } = await open(browser, app);
    await settled(page);
    const first = page.getByText('Nothing to do: add your first todo above');
    await first.waitFor();
    expect(await displayed(page, '.main')).toBe(false);
    expect(await displayed(page, '.footer')).toBe(false);
    await addTodos(page, 'The first one');
    await first.waitFor({ state: 'detached' });

    await page.getByRole('link', { name: 'Completed' }).click();
    await page.getByText('Nothing completed yet').waitFor();
    await page.getByRole('link', { name: 'Active' }).click();
    expect(await page.getByText('Nothing left to do').count()).toBe(0);
    await todo(page, 'The first one').locator('.toggle').click();
    await page.getByText('Nothing left to do').waitFor();
    await page.getByRole('link', { name: 'Completed' }).click();
    await expectTitles(page, ['The first one']);
    expect(await page.getByText('Nothing completed yet').count()).toBe(0);

    // Clearing the last one brings the first state back.
    await page.locator('.clear-completed').click();
    await first.waitFor();
    expect(await displayed(page, '.main')).toBe(false);
    expect(await shownTitles(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
