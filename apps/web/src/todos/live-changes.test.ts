import { describe, expect, test } from 'vitest';
import type { Todo } from '../trpc.ts';
import {
  countsAfterChange,
  covers,
  type ListView,
  listViewOf,
  showsEverything,
  withTodo,
} from './live-changes.ts';
import type { TodoList } from './todo-pages.ts';

const todo = (n: number, fields: Partial<Todo> = {}): Todo => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  title: `Todo ${n}`,
  listId: '00000000-0000-4000-8000-0000000000aa',
  createdBy: null,
  updatedBy: null,
  description: null,
  completed: false,
  dueAt: null,
  priority: 'none',
  position: n,
  createdAt: `2026-12-01T10:00:0${n}.000Z`,
  updatedAt: `2026-12-01T10:00:0${n}.000Z`,
  ...fields,
});

const list = (...pages: { items: Todo[]; nextCursor: string | null }[]): TodoList => ({
  pages,
  pageParams: pages.map((_, index) => (index === 0 ? null : `cursor-${index}`)),
});
const complete = (...items: Todo[]) => list({ items, nextCursor: null });

const titles = (value: TodoList) => value.pages.map((page) => page.items.map((item) => item.title));
const flat = (value: TodoList) => titles(value).flat();

const view = (fields: Partial<ListView> = {}): ListView => ({ filter: 'all', order: 'manual', ...fields });
const OLDEST = view({ order: 'oldest' });

// Five todos whose keys differ in every order (created 1–5 seconds past 10:00):
//   newest E D C B A · oldest A B C D E · manual (position) B D A E C
//   due C (20th), D A (24th, by position), B E (none) · priority B D (high), E, A, C
//   active A C D · completed B E
const DUE_20 = '2026-12-20T00:00:00.000Z';
const DUE_24 = '2026-12-24T00:00:00.000Z';
const A = todo(1, { title: 'A', position: 3, dueAt: DUE_24, priority: 'low' });
const B = todo(2, { title: 'B', position: 1, priority: 'high', completed: true });
const C = todo(3, { title: 'C', position: 5, dueAt: DUE_20 });
const D = todo(4, { title: 'D', position: 2, dueAt: DUE_24, priority: 'high' });
const E = todo(5, { title: 'E', position: 4, priority: 'medium', completed: true });
const IN_ORDER = {
  newest: 'EDCBA',
  oldest: 'ABCDE',
  manual: 'BDAEC',
  due: 'CDABE',
  priority: 'BDEAC',
} as const;
const IN_FILTER = { all: 'ABCDE', active: 'ACD', completed: 'BE' } as const;

/** The todos as the server lists them: `order`'s sequence, only those in `filter`. */
const expected = (order: keyof typeof IN_ORDER, filter: keyof typeof IN_FILTER) =>
  [...IN_ORDER[order]].filter((title) => IN_FILTER[filter].includes(title));

/** Every todo folded in, one event at a time, in an order unlike any list's. */
const foldAll = (into: ListView, start = complete()) =>
  [C, A, E, B, D].reduce((folded, next) => withTodo(into, folded, next), start);

describe('listViewOf', () => {
  test('the server defaults, every order and filter, and the search and due range as the server takes them', () => {
    expect(listViewOf(undefined)).toEqual({ filter: 'all', order: 'newest' });
    for (const order of Object.keys(IN_ORDER)) {
      for (const filter of Object.keys(IN_FILTER)) {
        expect(listViewOf({ filter, order, limit: 50, cursor: null, direction: 'forward' })).toEqual({
          filter,
          order,
        });
      }
    }
    expect(listViewOf({ order: 'manual', search: 'milk', dueAfter: DUE_20, dueBefore: DUE_24 })).toEqual({
      filter: 'all',
      order: 'manual',
      search: 'milk',
      dueAfter: Date.parse(DUE_20),
      dueBefore: Date.parse(DUE_24),
    });
    expect(listViewOf({ search: '' })).toEqual({ filter: 'all', order: 'newest' });
    // Today's and Upcoming's reads across lists: which lists is not what the view shows of them.
    expect(listViewOf({ allLists: true, order: 'due', filter: 'active', dueBefore: DUE_24 })).toEqual({
      filter: 'active',
      order: 'due',
      dueBefore: Date.parse(DUE_24),
    });
  });

  test('an input it does not know is refetched instead', () => {
    expect(listViewOf({ sort: 'due' })).toBeNull();
    expect(listViewOf({ filter: 'someday' })).toBeNull();
    expect(listViewOf({ order: 'alphabetical' })).toBeNull();
    expect(listViewOf({ search: 42 })).toBeNull();
    expect(listViewOf({ dueBefore: 'next week' })).toBeNull();
  });

  test('only a view of every todo, with no filter, search or due range, shows everything', () => {
    expect(showsEverything(view())).toBe(true);
    expect(showsEverything(view({ filter: 'active' }))).toBe(false);
    expect(showsEverything(view({ search: 'milk' }))).toBe(false);
    expect(showsEverything(view({ dueBefore: 0 }))).toBe(false);
  });
});

describe('withTodo', () => {
  test('in every order and filter, each new todo lands where the server lists it', () => {
    for (const order of Object.keys(IN_ORDER) as (keyof typeof IN_ORDER)[]) {
      for (const filter of Object.keys(IN_FILTER) as (keyof typeof IN_FILTER)[]) {
        expect(flat(foldAll(view({ order, filter }))), `${order} ${filter}`).toEqual(expected(order, filter));
      }
    }
  });

  test('an existing todo is replaced where it is while its keys stay', () => {
    for (const order of Object.keys(IN_ORDER) as (keyof typeof IN_ORDER)[]) {
      const start = foldAll(view({ order }));
      const renamed = withTodo(view({ order }), start, { ...A, title: 'A2', description: 'notes' });
      expect(flat(renamed), order).toEqual(
        expected(order, 'all').map((title) => (title === 'A' ? 'A2' : title)),
      );
    }
  });

  test('a move goes to its new position in the manual order, and among its ties in the due and priority orders', () => {
    const manual = view();
    const start = foldAll(manual);
    // C between B (1) and D (2); then B below everything; then D on top.
    const movedC = withTodo(manual, start, { ...C, position: 1.5 });
    expect(flat(movedC)).toEqual(['B', 'C', 'D', 'A', 'E']);
    const movedB = withTodo(manual, movedC, { ...B, position: 6 });
    expect(flat(movedB)).toEqual(['C', 'D', 'A', 'E', 'B']);
    expect(flat(withTodo(manual, movedB, { ...D, position: 0 }))).toEqual(['D', 'C', 'A', 'E', 'B']);

    // A above D: due on the same day, and D no longer first among the high ones once B is below.
    const due = view({ order: 'due' });
    expect(flat(withTodo(due, foldAll(due), { ...A, position: 1.5 }))).toEqual(['C', 'A', 'D', 'B', 'E']);
    const priority = view({ order: 'priority' });
    expect(flat(withTodo(priority, foldAll(priority), { ...B, position: 6 }))).toEqual([
      'D',
      'B',
      'E',
      'A',
      'C',
    ]);
  });

  test('a change of due date or priority moves the todo in those orders', () => {
    const due = view({ order: 'due' });
    expect(flat(withTodo(due, foldAll(due), { ...C, dueAt: null }))).toEqual(['D', 'A', 'B', 'E', 'C']);
    const priority = view({ order: 'priority' });
    expect(flat(withTodo(priority, foldAll(priority), { ...C, priority: 'high' }))).toEqual([
      'B',
      'D',
      'C',
      'E',
      'A',
    ]);
  });

  test('a todo that stops matching its filter leaves; one that starts matching enters at its place', () => {
    const active = view({ filter: 'active' });
    const start = foldAll(active);
    expect(flat(start)).toEqual(['D', 'A', 'C']);
    const completedA = withTodo(active, start, { ...A, completed: true });
    expect(flat(completedA)).toEqual(['D', 'C']);
    expect(flat(withTodo(active, completedA, { ...B, completed: false }))).toEqual(['B', 'D', 'C']);

    const completed = view({ filter: 'completed', order: 'oldest' });
    expect(flat(withTodo(completed, foldAll(completed), { ...C, completed: true }))).toEqual(['B', 'C', 'E']);
  });

  test('a search holds the todos whose title or description has it, literally and ignoring case', () => {
    const milk = view({ search: 'mILk' });
    const start = complete(todo(1, { title: 'Oat milk' }));
    expect(flat(withTodo(milk, start, todo(3, { title: 'Stamps' })))).toEqual(['Oat milk']);
    const described = withTodo(milk, start, todo(2, { title: 'Shop', description: 'MILK, bread' }));
    expect(flat(described)).toEqual(['Oat milk', 'Shop']);
    expect(flat(withTodo(milk, described, todo(1, { title: 'Oat drink' })))).toEqual(['Shop']);

    const percent = view({ search: '50%' });
    const literal = withTodo(percent, complete(), todo(1, { title: '50% off' }));
    expect(flat(withTodo(percent, literal, todo(2, { title: '500 off' })))).toEqual(['50% off']);
  });

  test('a due range holds todos due at or after its start and before its end, never one without a date', () => {
    const range = view({ order: 'due', dueAfter: Date.parse(DUE_20), dueBefore: Date.parse(DUE_24) });
    expect(flat(foldAll(range))).toEqual(['C']);
    const after = view({ order: 'due', dueAfter: Date.parse('2026-12-21T00:00:00Z') });
    expect(flat(foldAll(after))).toEqual(['D', 'A']);
  });

  test('a todo past the loaded pages is left for its page; one before the end of them goes in its page', () => {
    const manual = view();
    const partial = list({ items: [B, D], nextCursor: 'page 2' }, { items: [A], nextCursor: 'page 3' });
    expect(covers(manual, partial, E)).toBe(false);
    expect(withTodo(manual, partial, E)).toEqual(partial);
    expect(titles(withTodo(manual, partial, { ...E, position: 2.5 }))).toEqual([
      ['B', 'D'],
      ['E', 'A'],
    ]);
    expect(titles(withTodo(manual, partial, { ...E, position: 0 }))).toEqual([['E', 'B', 'D'], ['A']]);
    // Moved past the loaded pages: it leaves, and comes with a later page.
    expect(titles(withTodo(manual, partial, { ...B, position: 9 }))).toEqual([['D'], ['A']]);
  });

  test('the last loaded todo stays when it changes in place: the next page starts after it', () => {
    const partial = list({ items: [todo(1), todo(2)], nextCursor: 'more' });
    const done = withTodo(OLDEST, partial, todo(2, { completed: true }));
    expect(done.pages[0]?.items.map((item) => item.completed)).toEqual([false, true]);
    const manual = view();
    const moved = withTodo(manual, partial, todo(2, { position: 1.5 }));
    expect(flat(moved)).toEqual(['Todo 1', 'Todo 2']);
    expect(flat(withTodo(manual, partial, todo(2, { position: 3 })))).toEqual(['Todo 1']);
  });
});

describe('countsAfterChange', () => {
  test('counts follow a creation, a completion and a deletion', () => {
    const counts = { all: 2, active: 1, completed: 1 };
    expect(countsAfterChange(counts, undefined, todo(3))).toEqual({ all: 3, active: 2, completed: 1 });
    expect(countsAfterChange(counts, todo(1), todo(1, { completed: true }))).toEqual({
      all: 2,
      active: 0,
      completed: 2,
    });
    expect(countsAfterChange(counts, todo(2, { completed: true }), undefined)).toEqual({
      all: 1,
      active: 1,
      completed: 0,
    });
  });
});
