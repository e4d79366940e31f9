// Every behaviour of shared/TODOMVC.md, against the real server and database.
import type { Browser, Page } from 'playwright-core';
import { afterEach, describe, expect, test } from 'vitest';
import {
  type App,
  addTodos,
  counterText,
  displayed,
  expectTitles,
  hasChromium,
  openAsNewUser,
  settled,
  shownTitles,
  todo,
  type UserPage,
  withAppAndBrowser,
} from './harness.ts';

describe.skipIf(!hasChromium)('the todo screen (TodoMVC)', () => {
  let app: App;
  let browser: Browser;
  let user: UserPage;
  let page: Page;

  withAppAndBrowser('pglite', (started, launched) => {
    app = started;
    browser = launched;
  });

  const open = async (path = '/') => {
    user = await openAsNewUser(browser, app, { path });
    page = user.page;
  };
  afterEach(async () => {
    expect(user.problems, 'console errors (CSP violations included)').toEqual([]);
    await user.context.close();
  });

  const reload = async () => {
    await settled(page);
    await page.reload();
    await page.locator('.new-todo').waitFor();
  };
  const toggleAll = () => page.locator('label[for="toggle-all"]').click();
  const toggleAllChecked = () => page.locator('.toggle-all').isChecked();

  test('on load: the new-todo field has focus; no .main or .footer without todos', async () => {
    await open();
    await expect.poll(() => page.evaluate(() => document.activeElement?.className)).toBe('new-todo');
    await settled(page);
    expect(await displayed(page, '.main')).toBe(false);
    expect(await displayed(page, '.footer')).toBe(false);
    expect(await page.locator('.todoapp .new-todo').count()).toBe(1);
  });

  test('keys typed the moment the field appears land in it, on a slow phone too', async () => {
    await open();
    // Lighthouse's phone and more: the field appears well before the frame its focus waits for.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 });
    for (const typed of ['Typed at once', 'And again']) {
      await page.reload();
      await page.locator('.new-todo').waitFor({ state: 'attached' });
      await page.keyboard.type(typed);
      await expect.poll(() => page.locator('.new-todo').inputValue()).toBe(typed);
    }
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  });

  test('adding trims, appends at the end and empties the field; blank input adds nothing', async () => {
    await open();
    const creates: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('todo.create')) creates.push(request.url());
    });
    const input = page.locator('.new-todo');
    await input.fill('   ');
    await input.press('Enter');
    await input.fill('');
    await input.press('Enter');
    await settled(page);
    expect(creates).toEqual([]);
    expect(await displayed(page, '.main')).toBe(false);

    await addTodos(page, '  Buy milk  ', 'Walk the dog');
    await expectTitles(page, ['Buy milk', 'Walk the dog']);
    expect(await input.inputValue()).toBe('');
    expect(await displayed(page, '.main')).toBe(true);
    expect(await displayed(page, '.footer')).toBe(true);
    await addTodos(page, 'Pay rent');
    await expectTitles(page, ['Buy milk', 'Walk the dog', 'Pay rent']);
    // The label holds the title and nothing else.
    expect(
      await page
        .locator('.todo-list li label')
        .first()
        .evaluate((label) => label.textContent),
    ).toBe('Buy milk');
    expect(await page.locator('.todo-list li:not(.completed)').count()).toBe(3);
    await reload();
    await expectTitles(page, ['Buy milk', 'Walk the dog', 'Pay rent']);
  });

  test('the counter reads 0 items / 1 item / 2 items left, the number alone in <strong>', async () => {
    await open();
    await addTodos(page, 'One');
    await expect.poll(() => counterText(page)).toBe('1 item left');
    await addTodos(page, 'Two');
    await expect.poll(() => counterText(page)).toBe('2 items left');
    expect(await page.locator('.todo-count strong').count()).toBe(1);
    expect(await page.locator('.todo-count strong').textContent()).toBe('2');
    await todo(page, 'One').locator('.toggle').click();
    await todo(page, 'Two').locator('.toggle').click();
    await expect.poll(() => counterText(page)).toBe('0 items left');
    expect(await page.locator('.todo-count strong').textContent()).toBe('0');
  });

  test('a click on .toggle flips that todo alone, and it is saved', async () => {
    await open();
    await addTodos(page, 'First', 'Second', 'Third');
    await todo(page, 'Second').locator('.toggle').click();
    await expect.poll(() => todo(page, 'Second').getAttribute('class')).toBe('completed');
    expect(await todo(page, 'Second').locator('.toggle').isChecked()).toBe(true);
    expect(await page.locator('.todo-list li.completed').count()).toBe(1);
    await expect.poll(() => counterText(page)).toBe('2 items left');
    await reload();
    await expect
      .poll(() => page.locator('.todo-list li.completed label').allTextContents())
      .toEqual(['Second']);
    await todo(page, 'Second').locator('.toggle').click();
    await expect.poll(() => page.locator('.todo-list li.completed').count()).toBe(0);
    await reload();
    await expect.poll(() => page.locator('.todo-list li').count()).toBe(3);
    expect(await page.locator('.todo-list li.completed').count()).toBe(0);
  });

  test('mark all completes every todo, or reopens them all; its checked state stays in sync', async () => {
    await open();
    await addTodos(page, 'A', 'B', 'C');
    await expect.poll(toggleAllChecked).toBe(false);
    // Its label is what people click: visible, and nothing lies on top of it.
    const uncovered = await page.locator('label[for="toggle-all"]').evaluate((label) => {
      const box = label.getBoundingClientRect();
      const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
      return box.width > 0 && box.height > 0 && (top === label || label.contains(top));
    });
    expect(uncovered).toBe(true);
    await todo(page, 'B').locator('.toggle').click();

    await toggleAll();
    await expect.poll(() => page.locator('.todo-list li.completed').count()).toBe(3);
    await expect.poll(toggleAllChecked).toBe(true);
    await expect.poll(() => counterText(page)).toBe('0 items left');

    await reload();
    await expect.poll(() => page.locator('.todo-list li.completed').count()).toBe(3);
    await expect.poll(toggleAllChecked).toBe(true);

    // Reopening one todo unchecks it; completing it again checks it.
    await todo(page, 'A').locator('.toggle').click();
    await expect.poll(toggleAllChecked).toBe(false);
    await todo(page, 'A').locator('.toggle').click();
    await expect.poll(toggleAllChecked).toBe(true);

    // Adding a todo (active) unchecks it.
    await addTodos(page, 'D');
    await expect.poll(toggleAllChecked).toBe(false);

    // With at least one active, mark all completes; when all are completed, it reopens them all.
    await toggleAll();
    await expect.poll(() => page.locator('.todo-list li.completed').count()).toBe(4);
    await toggleAll();
    await expect.poll(() => page.locator('.todo-list li.completed').count()).toBe(0);
    await expect.poll(toggleAllChecked).toBe(false);
    await reload();
    await expect.poll(() => page.locator('.todo-list li').count()).toBe(4);
    expect(await page.locator('.todo-list li.completed').count()).toBe(0);
    expect(await toggleAllChecked()).toBe(false);

    // After clear completed, only active todos remain: unchecked.
    await todo(page, 'A').locator('.toggle').click();
    await page.locator('.clear-completed').click();
    await expectTitles(page, ['B', 'C', 'D']);
    await expect.poll(toggleAllChecked).toBe(false);

    // The checkbox itself is keyboard operable too.
    await page.locator('.toggle-all').focus();
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('.todo-list li.completed').count()).toBe(3);
  });

  test('deleting: hovering shows .destroy, a click deletes just that todo', async () => {
    await open();
    await addTodos(page, 'Keep', 'Remove me', 'Keep too');
    const target = todo(page, 'Remove me');
    await target.hover();
    expect(await target.locator('.destroy').isVisible()).toBe(true);
    // It fades in (a 0.1 s transition): poll until it has, rather than read it mid-way.
    await expect
      .poll(() => target.locator('.destroy').evaluate((button) => Number(getComputedStyle(button).opacity)))
      .toBeGreaterThan(0.5);
    await target.locator('.destroy').click();
    await expectTitles(page, ['Keep', 'Keep too']);
    await reload();
    await expectTitles(page, ['Keep', 'Keep too']);
  });

  describe('editing', () => {
    test('double-click edits that todo only, prefilled and focused; its view is hidden', async () => {
      await open();
      await addTodos(page, 'Alpha', 'Beta');
      await todo(page, 'Beta').locator('label').dblclick();
      const editing = page.locator('.todo-list li.editing');
      await expect.poll(() => editing.count()).toBe(1);
      expect(await page.locator('.todo-list li').nth(1).getAttribute('class')).toBe('editing');
      expect(await editing.locator('.edit').inputValue()).toBe('Beta');
      await expect.poll(() => page.evaluate(() => document.activeElement?.className)).toBe('edit');
      for (const part of ['.toggle', 'label', '.destroy']) {
        expect(await editing.locator(part).count(), part).toBe(0);
      }
    });

    test('Enter saves the trimmed text and leaves editing; completion is unchanged', async () => {
      await open();
      await addTodos(page, 'Alpha', 'Beta');
      await todo(page, 'Alpha').locator('.toggle').click();
      await todo(page, 'Alpha').locator('label').dblclick();
      await page.locator('.todo-list li .edit').fill('  Alpha renamed  ');
      await page.locator('.todo-list li .edit').press('Enter');
      await expectTitles(page, ['Alpha renamed', 'Beta']);
      expect(await page.locator('.todo-list li.editing').count()).toBe(0);
      expect(await page.locator('.todo-list li').first().getAttribute('class')).toBe('completed');
      await reload();
      await expectTitles(page, ['Alpha renamed', 'Beta']);
      expect(await page.locator('.todo-list li').first().getAttribute('class')).toBe('completed');
      expect(await page.locator('.todo-list li.editing').count()).toBe(0);
    });

    test('losing focus saves', async () => {
      await open();
      await addTodos(page, 'Alpha', 'Beta');
      await todo(page, 'Beta').locator('label').dblclick();
      await page.locator('.todo-list li .edit').fill('Beta by blur');
      await page.locator('.new-todo').click();
      await expectTitles(page, ['Alpha', 'Beta by blur']);
      expect(await page.locator('.todo-list li.editing').count()).toBe(0);
      await reload();
      await expectTitles(page, ['Alpha', 'Beta by blur']);
    });

    test('Escape discards the change, and the blur that follows saves nothing', async () => {
      await open();
      await addTodos(page, 'Alpha', 'Beta');
      await settled(page);
      const updates: string[] = [];
      page.on('request', (request) => {
        if (request.url().includes('todo.update')) updates.push(request.url());
      });
      await todo(page, 'Alpha').locator('label').dblclick();
      await page.locator('.todo-list li .edit').fill('Not this');
      await page.locator('.todo-list li .edit').press('Escape');
      await expectTitles(page, ['Alpha', 'Beta']);
      expect(await page.locator('.todo-list li.editing').count()).toBe(0);
      await page.locator('.new-todo').click();
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await reload();
      await expectTitles(page, ['Alpha', 'Beta']);
      expect(updates).toEqual([]);
    });

    test('an empty title deletes the todo (Enter or blur)', async () => {
      await open();
      await addTodos(page, 'Alpha', 'Beta', 'Gamma');
      await todo(page, 'Beta').locator('label').dblclick();
      await page.locator('.todo-list li .edit').fill('   ');
      await page.locator('.todo-list li .edit').press('Enter');
      await expectTitles(page, ['Alpha', 'Gamma']);
      await todo(page, 'Gamma').locator('label').dblclick();
      await page.locator('.todo-list li .edit').fill('');
      await page.locator('.new-todo').click();
      await expectTitles(page, ['Alpha']);
      await reload();
      await expectTitles(page, ['Alpha']);
    });

    test('keyboard: the edit button starts editing, Enter returns focus to it', async () => {
      await open();
      await addTodos(page, 'Alpha');
      await todo(page, 'Alpha').locator('.toggle').focus();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('.todo-list li.editing').count()).toBe(1);
      await page.keyboard.type(' by keyboard');
      await page.keyboard.press('Enter');
      await expectTitles(page, ['Alpha by keyboard']);
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')))
        .toBe('Edit “Alpha by keyboard”');
    });
  });

  test('clear completed deletes the completed todos, keeps the order, then hides itself', async () => {
    await open();
    await addTodos(page, 'One', 'Two', 'Three', 'Four');
    expect(await displayed(page, '.clear-completed')).toBe(false);
    await todo(page, 'One').locator('.toggle').click();
    await todo(page, 'Three').locator('.toggle').click();
    await expect.poll(() => displayed(page, '.clear-completed')).toBe(true);
    expect(await page.locator('.clear-completed').textContent()).toContain('Clear completed');
    await page.locator('.clear-completed').click();
    await expectTitles(page, ['Two', 'Four']);
    await expect.poll(() => displayed(page, '.clear-completed')).toBe(false);
    await reload();
    await expectTitles(page, ['Two', 'Four']);

    await toggleAll();
    await page.locator('.clear-completed').click();
    await expect.poll(() => displayed(page, '.main')).toBe(false);
    expect(await displayed(page, '.footer')).toBe(false);
    await reload();
    expect(await displayed(page, '.main')).toBe(false);
    expect(await displayed(page, '.footer')).toBe(false);
  });

  test('many todos: further pages load as the list is scrolled, oldest first', async () => {
    await open();
    const titles = Array.from({ length: 65 }, (_, index) => `Item ${String(index + 1).padStart(2, '0')}`);
    await page.evaluate(async (list) => {
      for (const title of list) {
        await fetch('/api/trpc/todo.create', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title }),
        });
      }
    }, titles);
    await reload();
    await expect.poll(() => page.locator('.todo-list li').count()).toBeGreaterThanOrEqual(50);
    await expect.poll(() => counterText(page)).toBe('65 items left');
    // Rows may be rendered again while the page settles (a row found, then replaced): each poll
    // scrolls whichever row is last by then.
    await expect
      .poll(async () => {
        await page
          .locator('.todo-list li')
          .last()
          .scrollIntoViewIfNeeded({ timeout: 1_000 })
          .catch(() => {});
        return shownTitles(page);
      })
      .toEqual(titles);
    // Mark all reaches the todos of every page, loaded or not.
    await toggleAll();
    await expect.poll(() => counterText(page)).toBe('0 items left');
  });
});
