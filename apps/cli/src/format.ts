import type { RouterOutputs } from '@todo/client';

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
