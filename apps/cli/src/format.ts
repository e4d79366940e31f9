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

/**
 * Text shown in a block (a description): its lines kept, every other control character (an
 * escape sequence that could rewrite the terminal) made a space.
 */
const block = (text: string) => text.replace(/\r\n?/g, '\n').replace(/[^\P{Cc}\n]/gu, ' ');

/** A moment as local time, to the minute: 2026-12-01 15:47. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

/** Labels and values in two columns; a value's further lines are indented under the first. */
function fields(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows
    .map(([label, value]) => `${label.padEnd(width)}${value.split('\n').join(`\n${' '.repeat(width)}`)}`)
    .join('\n');
}

/**
 * One todo in full, for `todo show`.
 *
 * @example
 * ID           3f2a9c1b-7a1e-4f0e-9d7c-5b1f2e3a4b5c
 * Title        Call the bank
 * Status       active
 * Description  About the mortgage
 * Created      2026-12-01 15:47
 * Updated      2026-12-01 15:52
 */
export function formatTodo(todo: Todo): string {
  return fields([
    ['ID', todo.id],
    ['Title', oneLine(todo.title)],
    ['Status', todo.completed ? 'completed' : 'active'],
    ['Description', todo.description ? block(todo.description) : '(none)'],
    ['Created', formatTime(todo.createdAt)],
    ['Updated', formatTime(todo.updatedAt)],
  ]);
}

/**
 * The signed-in user, for `todo whoami`.
 *
 * @example
 * Name     Ada Lovelace
 * Email    ada@example.com
 * Server   https://todo.example.com
 * Joined   2026-12-01 15:47
 */
export function formatUser(user: { name: string; email: string; createdAt: string }, url: string): string {
  return fields([
    ['Name', oneLine(user.name)],
    ['Email', oneLine(user.email)],
    ['Server', url],
    ['Joined', formatTime(user.createdAt)],
  ]);
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
