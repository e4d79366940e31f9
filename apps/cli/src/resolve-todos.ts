import { errorCode, type RouterOutputs } from '@todo/client';
import type { Context } from './command.ts';
import { CliError, EXIT, usageError } from './errors.ts';
import type { Sort } from './options.ts';
import type { Api } from './session.ts';

export type Todo = RouterOutputs['todo']['get'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Every todo of one list (the Inbox unless `listId` says another) matching the filter, in the
 * given order (the manual order unless told), page by page.
 *
 * @example
 * const active = await listAll(api, { filter: 'active', order: 'due' });
 */
export async function listAll(
  api: Api,
  input: { filter?: 'all' | 'active' | 'completed'; search?: string; order?: Sort; listId?: string },
): Promise<Todo[]> {
  const todos: Todo[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Todo[]; nextCursor: string | null } = await api.todo.list.query({
      order: 'manual',
      ...input,
      limit: 100,
      cursor,
    });
    todos.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return todos;
}

/** Lists read at once: their queries go out in one batched request, whose URL stays short. */
const LISTS_AT_ONCE = 8;

/** Every todo of every list the caller is a member of: where an id's beginning is looked for. */
async function everyTodo(api: Api): Promise<Todo[]> {
  const { lists } = await api.list.all.query();
  const todos: Todo[] = [];
  for (let start = 0; start < lists.length; start += LISTS_AT_ONCE) {
    const some = lists.slice(start, start + LISTS_AT_ONCE);
    for (const page of await Promise.all(some.map((list) => listAll(api, { listId: list.id }))))
      todos.push(...page);
  }
  return todos;
}

async function fetchById(api: Api, id: string, given: string): Promise<Todo> {
  return api.todo.get.query({ id }).catch((error: unknown) => {
    throw errorCode(error) === 'NOT_FOUND' ? new CliError(`No todo with id ${given}.`, EXIT.notFound) : error;
  });
}

/**
 * The todos that ids name: full ids are fetched; anything shorter is a prefix of exactly one of
 * the todos in the user's lists, whichever list it is in.
 *
 * @example
 * const [todo] = await resolveTodos(api, ['3f2a9c1b']);
 */
export async function resolveTodos(api: Api, ids: string[]): Promise<Todo[]> {
  if (ids.length === 0) throw usageError('Give the id of a todo (as shown by `todo ls`).');
  let everything: Todo[] | undefined;
  const todos: Todo[] = [];
  for (const given of ids) {
    const id = given.toLowerCase();
    if (UUID.test(id)) {
      todos.push(await fetchById(api, id, given));
      continue;
    }
    if (!/^[0-9a-f-]{1,36}$/.test(id)) throw usageError(`"${given}" is not a todo id (see \`todo ls\`).`);
    everything ??= await everyTodo(api);
    const matches = everything.filter((todo) => todo.id.startsWith(id));
    if (matches.length === 0) throw new CliError(`No todo with an id starting with ${given}.`, EXIT.notFound);
    if (matches.length > 1) {
      throw new CliError(`${given} matches ${matches.length} todos; give more of the id.`, EXIT.usage);
    }
    todos.push(matches[0] as Todo);
  }
  return todos;
}

/** The one todo a command is about (`todo show <id>`). */
export async function resolveOne(context: Context, api: Api): Promise<Todo> {
  if (context.args.length > 1) throw usageError('Give one todo id.');
  return (await resolveTodos(api, context.args))[0] as Todo;
}
