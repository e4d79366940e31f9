import type { RouterOutputs, TodoChange } from '@todo/client';
import { dueInFull, dueLabel, isOverdue } from './due.ts';

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
export const oneLine = (text: string) => text.replace(/\p{Cc}+/gu, ' ');

/** How a table is drawn: the time its due dates are read against, and whether to use colour. */
export type TableStyle = { now: Date; color: boolean };

const RED = (text: string) => `\u001b[31m${text}\u001b[39m`;

/** The due column's text: its label, and "!" when an active todo's due has passed. */
function dueCell(todo: Todo, now: Date): { text: string; overdue: boolean } {
  if (!todo.dueAt) return { text: '', overdue: false };
  const due = new Date(todo.dueAt);
  const overdue = !todo.completed && isOverdue(due, now);
  return { text: `${dueLabel(due, now)}${overdue ? ' !' : ''}`, overdue };
}

/**
 * The todos as a table, in the order given: short id, a check box, the due date (local time;
 * "!" when overdue), the priority and the title.
 *
 * @example
 * ID        DONE  DUE            PRIORITY  TITLE
 * 3f2a9c1b  [ ]   Yesterday !    high      Pay rent
 * 0c4d1e2f  [ ]   Today 17:00              Call the bank
 * 9a8b7c6d  [x]                  low       Buy milk
 */
export function formatTable(
  todos: Todo[],
  { now, color }: TableStyle = { now: new Date(), color: false },
): string {
  const length = shortIdLength(todos.map((todo) => todo.id));
  const dues = todos.map((todo) => dueCell(todo, now));
  const dueWidth = Math.max('DUE'.length, ...dues.map((due) => due.text.length));
  const priorityWidth = 'PRIORITY'.length;
  const rows = todos.map((todo, index) => {
    const due = dues[index] as { text: string; overdue: boolean };
    const dueText = color && due.overdue ? RED(due.text) : due.text;
    const padding = ' '.repeat(dueWidth - due.text.length);
    const priority = (todo.priority === 'none' ? '' : todo.priority).padEnd(priorityWidth);
    return `${todo.id.slice(0, length).padEnd(length)}  ${todo.completed ? '[x]' : '[ ]'}   ${dueText}${padding}  ${priority}  ${oneLine(todo.title)}`;
  });
  return [
    `${'ID'.padEnd(length)}  DONE  ${'DUE'.padEnd(dueWidth)}  ${'PRIORITY'.padEnd(priorityWidth)}  TITLE`,
    ...rows,
  ].join('\n');
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
 * Due          Thu 24 Dec 2026, all day (in 23 days)
 * Priority     high
 * Description  About the mortgage
 * Created      2026-12-01 15:47
 * Updated      2026-12-01 15:52
 */
export function formatTodo(todo: Todo, now = new Date()): string {
  return fields([
    ['ID', todo.id],
    ['Title', oneLine(todo.title)],
    ['Status', todo.completed ? 'completed' : 'active'],
    ['Due', todo.dueAt ? dueInFull(new Date(todo.dueAt), now, todo.completed) : '(none)'],
    ['Priority', todo.priority],
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
export const verb = (mark: string, word: string) => `${mark} ${word.padEnd(10)}`;

/**
 * One line for a change that `todo watch` receives, worded from the todo as it was before
 * (when the watcher knows it). A reset is worded by the caller, which refetches the list.
 *
 * @example
 * + added      3f2a9c1b  Buy milk
 * ✓ completed  3f2a9c1b  Buy milk
 * ✗ deleted    3f2a9c1b  Buy milk
 * ~ due        3f2a9c1b  Buy milk (Tomorrow 09:00)
 */
export function describeChange(
  change: Extract<TodoChange, { type: 'upsert' | 'delete' }>,
  before: Todo | undefined,
  now = new Date(),
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
  if (before.dueAt !== todo.dueAt)
    return line('~', 'due', todo.dueAt ? ` (${dueLabel(new Date(todo.dueAt), now)})` : ' (no due date)');
  if (before.priority !== todo.priority) return line('~', 'priority', ` (${todo.priority})`);
  return line('~', 'updated');
}

/** The line for a reset, once the list has been fetched again. */
export const describeReset = (todos: Todo[]) =>
  `${verb('↻', 'reset')} refetched: ${plural(todos.length, 'todo')}, ${todos.filter((todo) => !todo.completed).length} active`;
