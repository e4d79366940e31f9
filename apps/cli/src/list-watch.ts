/**
 * What `todo watch` makes of the caller's events for the one list it watches: the stream carries
 * every list the caller is a member of, and this keeps those of the list, in words or as JSON,
 * and knows when the list is gone. (The stream itself: commands/watch.ts.)
 */
import type { TodoChange } from '@todo/client';
import { CliError, EXIT } from './errors.ts';
import { describeChange, describeReset, describeTodo, plural, verb } from './format.ts';
import { type List, quoted } from './resolve-lists.ts';
import { listAll, type Todo } from './resolve-todos.ts';
import type { Api } from './session.ts';

/** What one event comes to: the lines to print, and, when the list is gone, why the watch ends. */
export type Outcome = { lines: string[]; end?: CliError };

/** `todo watch --json`'s line: the event id first; a deleted todo's id as `todoId`, a removed
 * list's as `listId`, not to clash with it. */
export function jsonLine(id: string, change: TodoChange): string {
  if (change.type === 'delete')
    return JSON.stringify({ id, type: change.type, todoId: change.id, listId: change.listId });
  if (change.type === 'listRemoved') return JSON.stringify({ id, type: change.type, listId: change.id });
  return JSON.stringify({ id, ...change });
}

/** The list's own change in words: its name, the caller's role, else its members. */
function describeList(before: List, after: List): string {
  if (before.name !== after.name)
    return `${verb('~', 'renamed')} the list ${quoted(after)} (was ${quoted(before)})`;
  if (before.role !== after.role) return `${verb('~', 'role')} you are now ${after.role} of ${quoted(after)}`;
  return `${verb('~', 'members')} ${quoted(after)} has ${plural(after.memberCount, 'member')}`;
}

/**
 * The watch of one list: its todos as they were (each change is worded from the todo before it,
 * and a todo moved to another list is known as the list's), the list as it was, the names of the
 * caller's other lists (where a todo went).
 *
 * @example
 * const watched = watchedList(api, groceries, lists, false);
 * await watched.refetch();
 * const { lines, end } = await watched.take('12', change);
 */
export function watchedList(api: Api, list: List, lists: List[], json: boolean) {
  let current = list;
  const names = new Map(lists.map((each) => [each.id, each]));
  const known = new Map<string, Todo>();
  const refetch = async () => {
    const todos = await listAll(api, { listId: list.id });
    known.clear();
    for (const todo of todos) known.set(todo.id, todo);
    return todos;
  };
  const gone = () =>
    new CliError(
      `${quoted(current)} was deleted, or you are no longer a member; the watch ends.`,
      EXIT.notFound,
    );

  /** The event in words (or undefined: nothing of this list), keeping what is known up to date. */
  async function words(change: TodoChange): Promise<string | undefined> {
    switch (change.type) {
      case 'reset': {
        // Without a list, a reset is of everything (events that can no longer be replayed).
        const of = 'listId' in change ? change.listId : undefined;
        return of === undefined || of === list.id ? describeReset(await refetch()) : undefined;
      }
      case 'delete': {
        if (change.listId !== list.id) return undefined;
        const line = describeChange(change, known.get(change.id));
        known.delete(change.id);
        return line;
      }
      case 'upsert': {
        const { todo } = change;
        const before = known.get(todo.id);
        if (todo.listId !== list.id) {
          if (!before) return undefined;
          known.delete(todo.id);
          const where = names.get(todo.listId);
          return `${verb('→', 'moved')} ${describeTodo(todo)} (to ${where ? quoted(where) : 'another list'})`;
        }
        known.set(todo.id, todo);
        return describeChange(change, before);
      }
      case 'list': {
        names.set(change.list.id, change.list);
        if (change.list.id !== list.id) return undefined;
        const line = describeList(current, change.list);
        current = change.list;
        return line;
      }
      case 'listRemoved':
        return change.id === list.id ? `${verb('✗', 'removed')} the list ${quoted(current)}` : undefined;
    }
  }

  return {
    refetch,
    /** One event: what to print of it, and whether the watch ends with it. */
    async take(id: string, change: TodoChange): Promise<Outcome> {
      const line = await words(change);
      if (line === undefined) return { lines: [] };
      const end = change.type === 'listRemoved' ? gone() : undefined;
      return { lines: [json ? jsonLine(id, change) : line], end };
    },
  };
}
