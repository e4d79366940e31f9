import { describe, expect, test } from 'vitest';
import type { Todo } from '../trpc.ts';
import { draftTodo, placeNewTodo, removeTodos } from './todo-cache.ts';
import { listInput } from './todo-keys.ts';
import type { TodoList } from './todo-pages.ts';

let positions = 0;
const todo = (title: string): Todo => ({
  id: title,
  listId: '00000000-0000-4000-8000-0000000000aa',
  title,
  description: null,
  completed: false,
  dueAt: null,
  priority: 'none',
  position: ++positions,
  createdBy: null,
  updatedBy: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
});

const list = (nextCursor: string | null, ...titles: string[]): TodoList => ({
  pages: [{ items: titles.map(todo), nextCursor }],
  pageParams: [null],
});

const titles = (value: TodoList) => value.pages.flatMap((page) => page.items.map((item) => item.title));

describe('removeTodos', () => {
  test('takes the todos out of whichever page holds them; the same list when none is there', () => {
    const start: TodoList = {
      pages: [
        { items: [todo('A'), todo('B')], nextCursor: 'more' },
        { items: [todo('C')], nextCursor: null },
      ],
      pageParams: [null, 'more'],
    };
    expect(removeTodos(start, (item) => item.id === 'C').pages.map((page) => page.items.length)).toEqual([
      2, 0,
    ]);
    expect(titles(removeTodos(start, (item) => item.title !== 'B'))).toEqual(['B']);
    expect(removeTodos(start, (item) => item.id === 'Z')).toBe(start);
  });
});

describe('placeNewTodo', () => {
  test('last in the manual, due and priority orders (no due date, no priority), first in newest', () => {
    for (const sort of ['manual', 'due', 'priority'] as const) {
      expect(titles(placeNewTodo(list(null, 'A', 'B'), todo('New'), listInput(sort, '')))).toEqual([
        'A',
        'B',
        'New',
      ]);
    }
    expect(titles(placeNewTodo(list(null, 'B', 'A'), todo('New'), listInput('newest', '')))).toEqual([
      'New',
      'B',
      'A',
    ]);
  });

  test('not at the end while the end is not loaded: it comes with its page', () => {
    expect(titles(placeNewTodo(list('more', 'A'), todo('New'), listInput('manual', '')))).toEqual(['A']);
  });

  test('during a search, only when its title matches (ignoring case)', () => {
    const start = list(null, 'Oat milk');
    expect(titles(placeNewTodo(start, todo('MILK the cow'), listInput('manual', 'milk')))).toEqual([
      'Oat milk',
      'MILK the cow',
    ]);
    expect(titles(placeNewTodo(start, todo('Stamps'), listInput('manual', 'milk')))).toEqual(['Oat milk']);
  });
});

describe('draftTodo', () => {
  test('last in the manual order as far as the tab knows: one above the largest position it has', () => {
    const start = list('more', 'A', 'B');
    const [a, b] = start.pages[0]?.items ?? [];
    if (!a || !b) throw new Error('no todos');
    start.pages[0] = {
      items: [
        { ...b, position: 7.5 },
        { ...a, position: -1 },
      ],
      nextCursor: 'more',
    };
    expect(draftTodo('new', 'New', start)).toMatchObject({ id: 'new', title: 'New', position: 8.5 });
    expect(draftTodo('new', 'New', undefined).position).toBe(1);
  });

  test('shows the due date and priority quick add found, else none', () => {
    expect(draftTodo('new', 'Call mum', undefined)).toMatchObject({ dueAt: null, priority: 'none' });
    expect(
      draftTodo('new', 'Call mum', undefined, undefined, {
        dueAt: '2026-09-09T16:00:00.000Z',
        priority: 'high',
      }),
    ).toMatchObject({ title: 'Call mum', dueAt: '2026-09-09T16:00:00.000Z', priority: 'high' });
  });
});
