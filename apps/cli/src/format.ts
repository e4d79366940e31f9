import type { RouterOutputs, TodoChange } from '@todo/client';

type Todo = RouterOutputs['todo']['get'];

const MIN_ID_LENGTH = 8;

/** The shortest prefix length (at least 8) that tells every listed id apart. */
export function shortIdLength(ids: string[]): number {
  for (let length = MIN_ID_LENGTH; length < 36; length++) {
    if (new Set(ids.map((id) => id.slice(0, length))).size === ids.length) return length;
  }
  return 36;
}

/** One line of a title: control characters (newlines, tabs, escapes) would break the table. */
const oneLine = (text: string) => text.replace(/\p{Cc}+/gu, ' ');

/**
 * The todos as a table: short id, a check box and the title, oldest first.
 *
 * @example
 * ID        DONE  TITLE
 * 3f2a9c1b  [ ]   Buy milk
 */
export function formatTable(todos: Todo[]): string {
  const length = shortIdLength(todos.map((todo) => todo.id));
  const rows = todos.map(
    (todo) =>
      `${todo.id.slice(0, length).padEnd(length)}  ${todo.completed ? '[x]' : '[ ]'}   ${oneLine(todo.title)}`,
  );
  return [`${'ID'.padEnd(length)}  DONE  TITLE`, ...rows].join('\n');
}

export const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export const describeTodo = (todo: Todo) => `${todo.id.slice(0, MIN_ID_LENGTH)}  ${oneLine(todo.title)}`;

/** A mark and a verb, padded so that ids line up down a `todo watch`. */
const verb = (mark: string, word: string) => `${mark} ${word.padEnd(10)}`;

/**
 * One line for a change that `todo watch` receives, worded from the todo as it was before
 * (when the watcher knows it). A reset is worded by the caller, which refetches the list.
 *
 * @example
 * + added      3f2a9c1b  Buy milk
 * ✓ completed  3f2a9c1b  Buy milk
 * ✗ deleted    3f2a9c1b  Buy milk
 */
export function describeChange(
  change: Exclude<TodoChange, { type: 'reset' }>,
  before: Todo | undefined,
): string {
  if (change.type === 'delete') {
    return `${verb('✗', 'deleted')} ${before ? describeTodo(before) : change.id.slice(0, MIN_ID_LENGTH)}`;
  }
  const { todo } = change;
  const line = (mark: string, word: string, note = '') => `${verb(mark, word)} ${describeTodo(todo)}${note}`;
  if (!before) return todo.createdAt === todo.updatedAt ? line('+', 'added') : line('~', 'updated');
  if (before.completed !== todo.completed)
    return todo.completed ? line('✓', 'completed') : line('○', 'reopened');
  if (before.title !== todo.title) return line('~', 'renamed', ` (was "${oneLine(before.title)}")`);
  if (before.description !== todo.description) return line('~', 'edited', ' (description)');
  return line('~', 'updated');
}

/** The line for a reset, once the list has been fetched again. */
export const describeReset = (todos: Todo[]) =>
  `${verb('↻', 'reset')} refetched: ${plural(todos.length, 'todo')}, ${todos.filter((todo) => !todo.completed).length} active`;
