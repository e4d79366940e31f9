// Every write to the todo list, each defined once: what it shows at once (its optimistic step),
// the call it sends, what the server's answer changes, and what a refusal says. The first paint
// needs none of it: todo-writes.ts registers each write by its key and fetches this module at
// start-up, and every step of a write waits for it.
import type { QueryClient } from '@tanstack/react-query';
import { errorCode } from '@todo/client';
import type { Todo, WebClient } from '../trpc.ts';
import { moveInList } from './reorder-cache.ts';
import { countsAfter, draftTodo, findTodo, mapTodos, placeNewTodo, removeTodos } from './todo-cache.ts';
import { type ListInput, todoKeys, type WriteName } from './todo-keys.ts';
import type { TodoList } from './todo-pages.ts';
import type { RestoreInput } from './todo-restore.ts';
import type { NewTodoDetails, Shown, TodoDetails, WriteContext } from './todo-writes.ts';
import { loadUndo } from './undo-offer.ts';
import { notify, reasonFor } from './write-notices.ts';

type CreateInput = { id: string; title: string; listId?: string } & NewTodoDetails;
/** A bulk write's list (none: the Inbox). */
type ListOnly = { listId?: string };
type UpdateInput = { id: string; title?: string; completed?: boolean } & TodoDetails;
type MoveInput = { id: string; afterId: string | null };

/** One write: what it sends, shows at once, says if refused, and takes from the answer. */
type Write<Input, Output> = {
  /** Loads what `show` needs, before the list on screen is read (a chunk of its own). */
  prepare?: () => Promise<unknown>;
  send: (client: WebClient, input: Input) => Promise<Output>;
  /** The optimistic step: the list on screen and the counts with the write done (unset: as they are). */
  show: (input: Input, shown: Shown, list: ListInput) => Partial<Shown>;
  /** The todo it writes to, if one: a notice names it should the write be dropped. */
  todoId?: (input: Input) => string;
  /** What it does, for a refusal: "Could not add the todo: …". */
  action: (input: Input) => string;
  /** The server's answer, into the cache. */
  saved?: (queryClient: QueryClient, output: Output) => void;
  /** What a write to a todo deleted elsewhere (NOT_FOUND) says; null: nothing, it is as good as done. */
  gone?: ((name: string) => string) | null;
};

const define = <Input, Output>(write: Write<Input, Output>) => write;

const byId = ({ id }: { id: string }) => id;

/** Undo's code, loaded by the first restore (or by the undo message, which offers one). */
let restoreCode: typeof import('./undo-message.tsx') | undefined;
const loadRestore = async () => {
  restoreCode ??= await loadUndo();
  return restoreCode;
};

/**
 * The server's version of a todo's times and position, in every cached list; the rest stays as
 * the user may have changed it since. A later live event of an older version is then seen as
 * older, and one of another todo is placed among the server's positions.
 */
function takeServerKeys(queryClient: QueryClient, saved: Todo, always = false) {
  queryClient.setQueriesData<TodoList>(
    { queryKey: todoKeys.lists },
    (list) =>
      list &&
      mapTodos(list, (todo) =>
        todo.id === saved.id && (always || todo.updatedAt < saved.updatedAt)
          ? { ...todo, position: saved.position, createdAt: saved.createdAt, updatedAt: saved.updatedAt }
          : todo,
      ),
  );
}

/** `todo` with the fields `input` names changed (a null description or due date clears it). */
function updated(todo: Todo, { title, completed, description, dueAt, priority }: UpdateInput): Todo {
  return {
    ...todo,
    title: title ?? todo.title,
    completed: completed ?? todo.completed,
    description: description === undefined ? todo.description : description,
    dueAt: dueAt === undefined ? todo.dueAt : dueAt,
    priority: priority ?? todo.priority,
  };
}

// One table, one entry a write, kept together: each write's parts read in one place.
const TODO_WRITES = {
  create: define({
    send: (client, input: CreateInput) => client.todo.create.mutate(input),
    show: ({ id, title, listId, dueAt, priority }, { list, counts }, view) => ({
      list: list && placeNewTodo(list, draftTodo(id, title, list, listId, { dueAt, priority }), view),
      counts: counts && countsAfter.created(counts),
    }),
    action: () => 'add the todo',
    // The draft's times and position were the browser's guess.
    saved: (queryClient, saved) => takeServerKeys(queryClient, saved, true),
  }),
  update: define({
    send: (client, input: UpdateInput) => client.todo.update.mutate(input),
    show: (input, { list, counts }) => {
      const { id, completed } = input;
      const before = findTodo(list, id);
      return {
        list: list && mapTodos(list, (todo) => (todo.id === id ? updated(todo, input) : todo)),
        counts:
          counts && before && completed !== undefined && completed !== before.completed
            ? countsAfter.toggled(counts, completed)
            : undefined,
      };
    },
    todoId: byId,
    action: (input) =>
      input.title !== undefined
        ? 'rename the todo'
        : input.completed !== undefined
          ? 'update the todo'
          : 'save the details',
    saved: takeServerKeys,
  }),
  delete: define({
    send: (client, input: { id: string }) => client.todo.delete.mutate(input),
    show: ({ id }, { list, counts }) => {
      const before = findTodo(list, id);
      return {
        list: list && removeTodos(list, (todo) => todo.id === id),
        counts: counts && before ? countsAfter.deleted(counts, before) : undefined,
      };
    },
    todoId: byId,
    action: () => 'delete the todo',
    // Deleted elsewhere too: what the user wanted has happened.
    gone: null,
  }),
  move: define({
    send: (client, input: MoveInput) => client.todo.move.mutate(input),
    // Moves are offered in the manual order only; any other list is read again after.
    show: ({ id, afterId }, { list }, view) => ({
      list: view.order === 'manual' && !view.search && list ? moveInList(list, id, afterId) : undefined,
    }),
    todoId: byId,
    action: () => 'move the todo',
    saved: takeServerKeys,
    gone: (name) => `A todo was deleted on another device; your move of ${name} was dropped.`,
  }),
  setAllCompleted: define({
    send: (client, input: { completed: boolean } & ListOnly) => client.todo.setAllCompleted.mutate(input),
    show: ({ completed }, { list, counts }) => ({
      list: list && mapTodos(list, (todo) => ({ ...todo, completed })),
      counts: counts && countsAfter.allSet(counts, completed),
    }),
    action: ({ completed }) => (completed ? 'mark all todos as complete' : 'mark all todos as active'),
  }),
  clearCompleted: define({
    send: (client, input: ListOnly | undefined) => client.todo.clearCompleted.mutate(input),
    show: (_input, { list, counts }) => ({
      list: list && removeTodos(list, (todo) => todo.completed),
      counts: counts && countsAfter.cleared(counts),
    }),
    action: () => 'clear the completed todos',
  }),
  restore: define({
    prepare: loadRestore,
    send: async (client, input: RestoreInput) => (await loadRestore()).sendRestore(client, input),
    show: (input, shown, view) => restoreCode?.showRestore(input, shown, view) ?? {},
    action: ({ todos }) => (todos.length === 1 ? 'restore the todo' : 'restore the todos'),
    saved: (queryClient, saved) => {
      for (const todo of saved) takeServerKeys(queryClient, todo, true);
    },
  }),
} satisfies Record<WriteName, unknown>;

/** Every write's definition, by name: what WriteInput and WriteOutput (todo-writes.ts) read. */
export type TodoWrites = typeof TODO_WRITES;

/**
 * The optimistic step (the usual TanStack Query recipe): cancel in-flight reads, snapshot the
 * list on screen and the counts, write them as they look with the write done.
 */
async function showWrite(
  queryClient: QueryClient,
  write: Write<unknown, unknown>,
  input: unknown,
  list: ListInput | undefined,
): Promise<WriteContext> {
  // A write started without a list on screen shows once the server has answered.
  if (!list) return {};
  const listKey = todoKeys.list(list);
  const countsKey = todoKeys.counts(list.listId);
  await Promise.all([
    queryClient.cancelQueries({ queryKey: todoKeys.lists }),
    queryClient.cancelQueries({ queryKey: todoKeys.allCounts }),
    write.prepare?.(),
  ]);
  const shown: Shown = {
    list: queryClient.getQueryData(listKey),
    // A view across lists (Today, Upcoming) shows no list's counts: they are read again after.
    counts: list.allLists ? undefined : queryClient.getQueryData(countsKey),
  };
  const next = write.show(input, shown, list);
  if (next.list) queryClient.setQueryData(listKey, next.list);
  if (next.counts) queryClient.setQueryData(countsKey, next.counts);
  const snapshot = { listKey, countsKey, ...shown };
  const title = write.todoId && findTodo(shown.list, write.todoId(input))?.title;
  return title === undefined ? { snapshot } : { snapshot, title };
}

/** Whether a refusal says the caller lost the list: it is gone or no longer theirs (NOT_FOUND of a
 * write that names its list), or they may no longer write to it (FORBIDDEN: made a viewer). */
function accessEnded(error: unknown, input: unknown): boolean {
  const code = errorCode(error);
  const namesList = typeof input === 'object' && input !== null && 'listId' in input;
  return code === 'FORBIDDEN' || (code === 'NOT_FOUND' && namesList);
}

/**
 * A refused write:
 * - access ended (see accessEnded), perhaps while this device was offline: the write is dropped
 *   with a notice, never sent again; the list on screen is put back if a snapshot is at hand.
 * - NOT_FOUND: the todo was deleted elsewhere, or its list is no longer the caller's (the server
 *   does not tell them apart). The write is dropped with a notice and nothing is rolled back:
 *   the list is read again after the last write, and rolling back could undo newer changes.
 * - Any other refusal: the list goes back to how it was before the write, and the user is told
 *   (unless the session expired: the sign-in screen says why).
 */
function refused(
  queryClient: QueryClient,
  write: Write<unknown, unknown>,
  error: unknown,
  input: unknown,
  context: WriteContext | undefined,
) {
  const snapshot = context?.snapshot;
  if (snapshot && errorCode(error) !== 'NOT_FOUND') {
    queryClient.setQueryData(snapshot.listKey, snapshot.list);
    queryClient.setQueryData(snapshot.countsKey, snapshot.counts);
  }
  if (accessEnded(error, input)) {
    return notify(
      `You no longer have access to change that list, so your change was dropped (${write.action(input)}).`,
    );
  }
  if (errorCode(error) === 'NOT_FOUND') {
    const name = context?.title ? `“${context.title}”` : 'A todo';
    if (write.gone === null) return;
    return notify(
      write.gone?.(name) ?? `${name} was deleted on another device; your change to it was dropped.`,
    );
  }
  if (errorCode(error) !== 'UNAUTHORIZED') {
    notify(`Could not ${write.action(input)}: ${reasonFor(error)}. Your list is back as it was.`);
  }
}

/**
 * The steps of the write `name`, as the defaults todo-writes.ts registers call them.
 *
 * @example
 * const create = writeSteps('create', queryClient, client);
 * const context = await create.show({ id, title }, list);
 * create.saved(await create.send({ id, title }));
 */
export function writeSteps(name: WriteName, queryClient: QueryClient, client: WebClient) {
  // Found by key, untyped: each write is typed where it is defined above.
  const write = TODO_WRITES[name] as unknown as Write<unknown, unknown>;
  return {
    send: (input: unknown) => write.send(client, input),
    show: (input: unknown, list: ListInput | undefined) => showWrite(queryClient, write, input, list),
    saved: (output: unknown) => write.saved?.(queryClient, output),
    refused: (error: unknown, input: unknown, context: WriteContext | undefined) =>
      refused(queryClient, write, error, input, context),
  };
}
