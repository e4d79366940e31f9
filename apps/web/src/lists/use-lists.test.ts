import { describe, expect, test } from 'vitest';
import { moved, moveTarget } from './use-list-actions.ts';
import { groupLists, type List } from './use-lists.ts';

const list = (id: string, role: List['role'], isInbox = false) =>
  ({
    id,
    name: id,
    isInbox,
    role,
    owner: { id: 'o', name: 'O' },
    memberCount: 1,
    counts: { active: 0, completed: 0 },
  }) as List;

// The caller's order as list.all gives it: Inbox first, then own and shared lists interleaved.
const lists = [
  list('inbox', 'owner', true),
  list('a', 'owner'),
  list('s1', 'editor'),
  list('b', 'owner'),
  list('s2', 'viewer'),
  list('c', 'owner'),
];

describe('moving a list among its group', () => {
  test('up: after the list two places before it in the group, or first', () => {
    expect(moveTarget(lists, list('c', 'owner'), -1)).toBe('s1'); // c goes before b: after s1
    expect(moveTarget(lists, list('b', 'owner'), -1)).toBe(null); // before a, which is first
    expect(moveTarget(lists, list('s2', 'viewer'), -1)).toBe('a'); // before s1
  });

  test('down: after the next list of its group', () => {
    expect(moveTarget(lists, list('a', 'owner'), 1)).toBe('b');
    expect(moveTarget(lists, list('s1', 'editor'), 1)).toBe('s2');
  });

  test('no move past either end of its group, nor for the Inbox or a list not there', () => {
    expect(moveTarget(lists, list('a', 'owner'), -1)).toBeUndefined();
    expect(moveTarget(lists, list('c', 'owner'), 1)).toBeUndefined();
    expect(moveTarget(lists, list('s1', 'editor'), -1)).toBeUndefined();
    expect(moveTarget(lists, list('inbox', 'owner', true), 1)).toBeUndefined();
    expect(moveTarget(lists, list('gone', 'owner'), -1)).toBeUndefined();
  });

  test('the groups the switcher shows follow the same order', () => {
    const { own, shared } = groupLists(lists);
    expect(own.map((each) => each.id)).toEqual(['a', 'b', 'c']);
    expect(shared.map((each) => each.id)).toEqual(['s1', 's2']);
  });
});

describe('a moved list, shown before the server answers', () => {
  const ids = (each: List[]) => each.map((one) => one.id);
  test('goes right after the list named, or first after the Inbox', () => {
    expect(ids(moved(lists, 'c', 's1'))).toEqual(['inbox', 'a', 's1', 'c', 'b', 's2']);
    expect(ids(moved(lists, 'c', null))).toEqual(['inbox', 'c', 'a', 's1', 'b', 's2']);
    expect(ids(moved(lists, 'a', 'c'))).toEqual(['inbox', 's1', 'b', 's2', 'c', 'a']);
  });

  test('an unknown list or anchor leaves the order as it was', () => {
    expect(moved(lists, 'gone', null)).toBe(lists);
    expect(moved(lists, 'a', 'gone')).toBe(lists);
  });
});
