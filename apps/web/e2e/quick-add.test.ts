// Quick add in the browser: a due date and a priority typed into the new-todo field show as chips
// before Enter, a chip goes with one key (its words then stay in the title), and Enter adds the
// title without them, due then (in the browser's zone) and with that priority. The parser itself
// is unit-tested in packages/client. The browser lives in Berlin on Tuesday 8 September 2026 at
// 10:00 (a fixed clock), whatever the machine says; one test moves it to Tokyo.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { seriousViolations } from './axe.ts';
import {
  type App,
  expectTitles,
  hasChromium,
  openAsNewUser,
  SCREENSHOTS,
  settled,
  todo,
  withAppAndBrowser,
} from './harness.ts';

/** Tuesday 8 September 2026, 10:00 in Berlin (summer time, UTC+2). */
const NOW = new Date('2026-09-08T08:00:00.000Z');

type SavedTodo = { title: string; dueAt: string | null; priority: string };

/** The todos as the server has them, in the manual order. */
async function savedTodos(context: BrowserContext): Promise<SavedTodo[]> {
  const input = encodeURIComponent(JSON.stringify({ order: 'manual' }));
  const response = await context.request.get(`/api/trpc/todo.list?input=${input}`);
  const body = (await response.json()) as { result: { data: { items: SavedTodo[] } } };
  return body.result.data.items.map(({ title, dueAt, priority }) => ({ title, dueAt, priority }));
}

const input = (page: Page) => page.getByRole('textbox', { name: 'New todo' });
const chips = (page: Page) => page.locator('.quick-chip');
/** The chips' words as they show (the row's date style; the priority's name). */
const chipTexts = (page: Page) => page.locator('.quick-chip-text').allTextContents();
const dueChip = (page: Page) => page.locator('.quick-chip-due');

/** What the field's description says (the status line it points to, once there are chips). */
const description = (page: Page) =>
  input(page).evaluate((field) =>
    (field.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );

describe.skipIf(!hasChromium)('quick add', () => {
  let app: App;
  let browser: Browser;
  withAppAndBrowser('pglite', (started, launched) => {
    app = started;
    browser = launched;
  });

  const open = (timezoneId = 'Europe/Berlin') => openAsNewUser(browser, app, { timezoneId, now: NOW });

  test('shows what it found as chips before Enter, and adds the title due then with that priority', async () => {
    const { context, page, problems } = await open();
    await input(page).pressSequentially('Call mum tomorrow 18:00 !high');
    await expect.poll(() => chipTexts(page)).toEqual(['Tomorrow 18:00', 'High']);
    // Each chip is a button named as its row will read; the field is described in full, in the
    // app's date style.
    await page.getByRole('button', { name: 'Due Tomorrow 18:00', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Priority High', exact: true }).waitFor();
    expect(await description(page)).toBe('Due Wed 9 Sep 2026 18:00, priority high.');
    expect(await page.getByRole('status').filter({ hasText: 'priority high' }).count()).toBe(1);
    // Nothing is added before Enter.
    expect(await page.locator('.todo-list li').count()).toBe(0);

    await input(page).press('Enter');
    await expectTitles(page, ['Call mum']);
    expect(await input(page).inputValue()).toBe('');
    expect(await chips(page).count()).toBe(0);
    expect(await todo(page, 'Call mum').locator('.due').textContent()).toContain('Tomorrow 18:00');
    expect(await todo(page, 'Call mum').getByRole('img', { name: 'High priority' }).count()).toBe(1);
    await settled(page);
    // 18:00 in Berlin's summer is 16:00 UTC.
    expect(await savedTodos(context)).toEqual([
      { title: 'Call mum', dueAt: '2026-09-09T16:00:00.000Z', priority: 'high' },
    ]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a chip goes with one key, and its words stay in the title', async () => {
    const { context, page, problems } = await open();

    // Tab to the chip, Backspace: the date's words stay, the priority is still found.
    await input(page).fill('Pay rent fri !low');
    await dueChip(page).waitFor();
    await input(page).press('Tab');
    expect(await dueChip(page).evaluate((chip) => chip === document.activeElement)).toBe(true);
    await page.keyboard.press('Backspace');
    await expect.poll(() => chipTexts(page)).toEqual(['Low']);
    // Focus is back in the field, so Enter adds.
    await page.keyboard.press('Enter');
    await expectTitles(page, ['Pay rent fri']);

    // Escape in the field keeps the last chip's words; a click on a chip does the same.
    await input(page).fill('Call Sam at 5pm !med');
    await expect.poll(() => chips(page).count()).toBe(2);
    await input(page).press('Escape');
    await expect.poll(() => chipTexts(page)).toEqual(['Today 17:00']);
    await dueChip(page).click();
    expect(await chips(page).count()).toBe(0);
    await input(page).press('Enter');
    await expectTitles(page, ['Pay rent fri', 'Call Sam at 5pm !med']);

    // Delete works on a chip as Backspace does.
    await input(page).fill('Water the plants tomorrow');
    await dueChip(page).focus();
    await page.keyboard.press('Delete');
    expect(await chips(page).count()).toBe(0);
    await input(page).press('Enter');
    await expectTitles(page, ['Pay rent fri', 'Call Sam at 5pm !med', 'Water the plants tomorrow']);
    await settled(page);
    expect(await savedTodos(context)).toEqual([
      { title: 'Pay rent fri', dueAt: null, priority: 'low' },
      { title: 'Call Sam at 5pm !med', dueAt: null, priority: 'none' },
      { title: 'Water the plants tomorrow', dueAt: null, priority: 'none' },
    ]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('plain titles stay exactly as typed, and a date that reads two ways stays words', async () => {
    const { context, page, problems } = await open();
    // The parser has arrived (a chip showed), so nothing below is plain for want of it.
    await input(page).fill('Warm up tomorrow');
    await dueChip(page).waitFor();
    await input(page).fill('');
    const plain = [
      'buy some cheese',
      'feed the cat',
      'book a doctors appointment',
      "Read May's letter",
      'March on',
    ];
    for (const title of plain) {
      await input(page).fill(`  ${title}  `);
      await page.waitForTimeout(50);
      expect(await chips(page).count(), title).toBe(0);
      await input(page).press('Enter');
    }
    await input(page).fill('Pay the bill 03/04/2026');
    await page
      .getByText(
        '“03/04/2026” stays in the title: it could be 3 April or 4 March. For a due date, write 2026-04-03 or 2026-03-04.',
      )
      .waitFor();
    expect(await chips(page).count()).toBe(0);
    await input(page).press('Enter');
    await expectTitles(page, [...plain, 'Pay the bill 03/04/2026']);
    await settled(page);
    expect(await savedTodos(context)).toEqual(
      [...plain, 'Pay the bill 03/04/2026'].map((title) => ({ title, dueAt: null, priority: 'none' })),
    );
    expect(problems).toEqual([]);
    await context.close();
  });

  test('reads times in the browser’s zone: the same words are another instant in Tokyo', async () => {
    const berlin = await open('Europe/Berlin');
    const tokyo = await open('Asia/Tokyo');
    for (const { page } of [berlin, tokyo]) {
      await input(page).fill('Call mum tomorrow 18:00');
      await expect.poll(() => chipTexts(page)).toEqual(['Tomorrow 18:00']);
      await input(page).press('Enter');
      await expectTitles(page, ['Call mum']);
      await settled(page);
    }
    // Tokyo is UTC+9: at 17:00 there (08:00 UTC), tomorrow is Wednesday 9 September there too.
    expect((await savedTodos(berlin.context))[0]?.dueAt).toBe('2026-09-09T16:00:00.000Z');
    expect((await savedTodos(tokyo.context))[0]?.dueAt).toBe('2026-09-09T09:00:00.000Z');

    // In Tokyo it is 17:00: "09:30" has passed today, so it is tomorrow's; "fri" is this Friday.
    const { page } = tokyo;
    await input(page).fill('Standup 09:30');
    await expect.poll(() => chipTexts(page)).toEqual(['Tomorrow 09:30']);
    await input(page).fill('Pay rent fri');
    await expect.poll(() => chipTexts(page)).toEqual(['Fri 11 Sep']);
    await page.getByRole('button', { name: 'Due Fri 11 Sep', exact: true }).waitFor();
    expect(await description(page)).toBe('Due Fri 11 Sep 2026.');
    await input(page).press('Enter');
    await settled(page);
    expect((await savedTodos(tokyo.context))[1]).toEqual({
      title: 'Pay rent',
      dueAt: '2026-09-10T15:00:00.000Z', // midnight in Tokyo: all day
      priority: 'none',
    });
    expect([...berlin.problems, ...tokyo.problems]).toEqual([]);
    await berlin.context.close();
    await tokyo.context.close();
  });

  // The screenshots the docs show: the field with its chips, light, dark and at a phone's width.
  test.each(['light', 'dark', 'phone'] as const)('the chips on screen, %s', async (look) => {
    const { context, page, problems } = await openAsNewUser(browser, app, {
      scheme: look === 'dark' ? 'dark' : 'light',
      timezoneId: 'Europe/Berlin',
      now: NOW,
    });
    if (look === 'phone') await page.setViewportSize({ width: 390, height: 800 });
    await input(page).fill('Water the plants');
    await input(page).press('Enter');
    await input(page).fill('Call mum fri 18:00 !high');
    await expect.poll(() => chips(page).count()).toBe(2);
    await settled(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      look === 'phone' ? 390 : 900,
    );
    await page.screenshot({ path: `${SCREENSHOTS}quick-add-${look}.png` });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
