import { describe, expect, test } from 'vitest';
import type { Todo } from '../trpc.ts';
import { isShown, movedMessage, moveInList, movesToShow, placement, withMoves } from './reorder-cache.ts';
import type { TodoList } from './todo-pages.ts';

const todo = (id: string) => ({ id, title: id.toUpperCase(), completed: false }) as unknown as Todo;

/** A list in pages of the given ids; the last page has no next cursor. */
function listOf(...pages: string[][]): TodoList {
  return {
    pages: pages.map((ids, index) => ({
      items: ids.map(todo),
      nextCursor: index === pages.length - 1 ? null : `cursor-${index}`,
    })),
    pageParams: pages.map((_, index) => (index === 0 ? null : `cursor-${index - 1}`)),
  } as unknown as TodoList;
}

const idsOf = (list: TodoList) => list.pages.map((page) => page.items.map((item) => item.id));

describe('moveInList', () => {
  test('moves after another todo, down and up', () => {
    expect(idsOf(moveInList(listOf(['a', 'b', 'c', 'd']), 'a', 'c'))).toEqual([['b', 'c', 'a', 'd']]);
    expect(idsOf(moveInList(listOf(['a', 'b', 'c', 'd']), 'd', 'a'))).toEqual([['a', 'd', 'b', 'c']]);
  });

  test('null moves to the top of the first page', () => {
    expect(idsOf(moveInList(listOf(['a', 'b'], ['c']), 'c', null))).toEqual([['c', 'a', 'b'], []]);
  });

  test('across pages: lands right after its new neighbour', () => {
    expect(idsOf(moveInList(listOf(['a', 'b'], ['c', 'd']), 'a', 'c'))).toEqual([['b'], ['c', 'a', 'd']]);
    expect(idsOf(moveInList(listOf(['a', 'b'], ['c', 'd']), 'd', 'a'))).toEqual([['a', 'd', 'b'], ['c']]);
  });

  test('a todo or neighbour that is not loaded leaves the list alone', () => {
    const list = listOf(['a', 'b']);
    expect(moveInList(list, 'x', 'a')).toBe(list);
    expect(moveInList(list, 'a', 'x')).toBe(list);
    expect(moveInList(list, 'a', 'a')).toBe(list);
  });

  test('keeps the cursors', () => {
    const moved = moveInList(listOf(['a', 'b'], ['c']), 'c', 'a');
    expect(moved.pages.map((page) => page.nextCursor)).toEqual(['cursor-0', null]);
    expect(moved.pageParams).toEqual([null, 'cursor-0']);
  });
});

describe('placement', () => {
  const items = ['a', 'b', 'c', 'd'];
  test('down one, up one, to the top, to the bottom', () => {
    expect(placement(items, 0, 1)).toEqual({ after: 'b', order: ['b', 'a', 'c', 'd'] });
    expect(placement(items, 2, 1)).toEqual({ after: 'a', order: ['a', 'c', 'b', 'd'] });
    expect(placement(items, 2, 0)).toEqual({ after: null, order: ['c', 'a', 'b', 'd'] });
    expect(placement(items, 0, 3)).toEqual({ after: 'd', order: ['b', 'c', 'd', 'a'] });
  });

  test('nothing to do past either end or in place', () => {
    expect(placement(items, 0, -1)).toBeNull();
    expect(placement(items, 3, 4)).toBeNull();
    expect(placement(items, 2, 2)).toBeNull();
  });
});

describe('withMoves', () => {
  const same = (key: string) => key;
  test('applies the moves in turn', () => {
    const moves = [
      { key: 'a', after: 'c' },
      { key: 'd', after: null },
    ];
    expect(withMoves(['a', 'b', 'c', 'd'], moves, same)).toEqual(['d', 'b', 'c', 'a']);
  });

  test('a move the items already show changes nothing, so it can stay until the cache has it', () => {
    const moves = [{ key: 'a', after: 'c' }];
    expect(withMoves(['b', 'c', 'a', 'd'], moves, same)).toEqual(['b', 'c', 'a', 'd']);
    expect(isShown(['b', 'c', 'a', 'd'], moves[0] as never, same)).toBe(true);
    expect(isShown(['a', 'b', 'c', 'd'], moves[0] as never, same)).toBe(false);
  });

  test('on top of a list changed meanwhile, the move still lands after its neighbour', () => {
    expect(withMoves(['x', 'a', 'b', 'c'], [{ key: 'a', after: 'b' }], same)).toEqual(['x', 'b', 'a', 'c']);
  });

  test('a move whose todo or neighbour is gone is left out', () => {
    expect(withMoves(['a', 'b'], [{ key: 'z', after: null }], same)).toEqual(['a', 'b']);
    expect(withMoves(['a', 'b'], [{ key: 'a', after: 'z' }], same)).toEqual(['a', 'b']);
    expect(isShown(['a', 'b'], { key: 'z', after: 'a' }, same)).toBe(true);
    expect(isShown(['a', 'b'], { key: 'a', after: 'z' }, same)).toBe(true);
  });
});

test('movesToShow: a move the list shows, and every move before it, are done', () => {
  const same = (key: string) => key;
  const moves = [
    { key: 'a', after: 'b' },
    { key: 'a', after: 'c' },
    { key: 'a', after: 'd' },
  ];
  expect(movesToShow(['a', 'b', 'c', 'd'], moves, same)).toEqual(moves);
  expect(movesToShow(['b', 'a', 'c', 'd'], moves, same)).toEqual(moves.slice(1));
  // The first two reached the cache in one go: the first is not shown any more, yet done.
  expect(movesToShow(['b', 'c', 'a', 'd'], moves, same)).toEqual(moves.slice(2));
  expect(movesToShow(['b', 'c', 'd', 'a'], moves, same)).toEqual([]);
});

test('movedMessage', () => {
  expect(movedMessage({ title: 'Buy milk' }, 2, 5)).toBe('Moved “Buy milk” to position 2 of 5');
});
