import { describe, expect, test } from 'vitest';
import type { Todo } from '../trpc.ts';
import { countsAfterChange, covers, listViewOf, withoutTodo, withTodo } from './live-changes.ts';
import type { TodoList } from './todo-cache.ts';

const todo = (n: number, completed = false): Todo => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  title: `Todo ${n}`,
  description: null,
  completed,
  dueAt: null,
  priority: 'none',
  position: n,
  createdAt: `2026-12-01T10:00:0${n}.000Z`,
  updatedAt: `2026-12-01T10:00:0${n}.000Z`,
});

const list = (...pages: { items: Todo[]; nextCursor: string | null }[]): TodoList => ({
  pages,
  pageParams: pages.map((_, index) => (index === 0 ? null : `cursor-${index}`)),
});

const titles = (value: TodoList) => value.pages.map((page) => page.items.map((item) => item.title));

const OLDEST = { filter: 'all', order: 'oldest' } as const;

describe('listViewOf', () => {
  test('the server defaults, the known fields, and a refusal for what cannot be done in place', () => {
    expect(listViewOf(undefined)).toEqual({ filter: 'all', order: 'newest' });
    expect(listViewOf({ filter: 'active', order: 'oldest', limit: 50 })).toEqual({
      filter: 'active',
      order: 'oldest',
    });
    expect(listViewOf({ search: 'milk' })).toBeNull();
    expect(listViewOf({ sort: 'due' })).toBeNull();
    expect(listViewOf({ filter: 'someday' })).toBeNull();
  });

  test('manual, due and priority orders are refetched: an event does not say where a moved todo went', () => {
    for (const order of ['manual', 'due', 'priority']) {
      expect(listViewOf({ order, limit: 50 })).toBeNull();
    }
    expect(listViewOf({ order: 'newest', limit: 50 })).toEqual({ filter: 'all', order: 'newest' });
  });
});

describe('withTodo', () => {
  test('a new todo goes to its place by creation time; an existing one is replaced where it is', () => {
    const start = list({ items: [todo(1), todo(3)], nextCursor: null });
    expect(titles(withTodo(OLDEST, start, todo(2)))).toEqual([['Todo 1', 'Todo 2', 'Todo 3']]);
    expect(titles(withTodo(OLDEST, start, todo(4)))).toEqual([['Todo 1', 'Todo 3', 'Todo 4']]);
    expect(
      titles(
        withTodo(
          { ...OLDEST, order: 'newest' },
          list({ items: [todo(3), todo(1)], nextCursor: null }),
          todo(2),
        ),
      ),
    ).toEqual([['Todo 3', 'Todo 2', 'Todo 1']]);
    const renamed = { ...todo(3), title: 'Renamed' };
    expect(titles(withTodo(OLDEST, start, renamed))).toEqual([['Todo 1', 'Renamed']]);
  });

  test('a todo past the loaded pages is left for its page; one that leaves the filter is taken out', () => {
    const partial = list({ items: [todo(1), todo(2)], nextCursor: 'more' });
    expect(covers(OLDEST, partial, todo(4))).toBe(false);
    expect(withTodo(OLDEST, partial, todo(4))).toEqual(partial);
    const active = { filter: 'active', order: 'oldest' } as const;
    const start = list({ items: [todo(1), todo(2)], nextCursor: null });
    expect(titles(withTodo(active, start, todo(2, true)))).toEqual([['Todo 1']]);
    expect(titles(withTodo(active, start, todo(3, true)))).toEqual([['Todo 1', 'Todo 2']]);
  });
});

describe('withoutTodo and countsAfterChange', () => {
  test('a delete takes the todo out of whichever page holds it', () => {
    const start = list({ items: [todo(1)], nextCursor: 'more' }, { items: [todo(2)], nextCursor: null });
    expect(titles(withoutTodo(start, todo(2).id))).toEqual([['Todo 1'], []]);
    expect(withoutTodo(start, todo(5).id)).toBe(start);
  });

  test('counts follow a creation, a completion and a deletion', () => {
    const counts = { all: 2, active: 1, completed: 1 };
    expect(countsAfterChange(counts, undefined, todo(3))).toEqual({ all: 3, active: 2, completed: 1 });
    expect(countsAfterChange(counts, todo(1), todo(1, true))).toEqual({ all: 2, active: 0, completed: 2 });
    expect(countsAfterChange(counts, todo(2, true), undefined)).toEqual({ all: 1, active: 1, completed: 0 });
  });
});
