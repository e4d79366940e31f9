// What every write to the list does besides its optimistic update: the call to make, what its
// answer changes, and what a refusal says. Registered on the QueryClient by mutation key
// (`setMutationDefaults`) rather than given to each `useMutation`, so that a write made offline
// and restored after a reload (session/offline-cache.ts) still knows all of it.
import type { Mutation, QueryClient, QueryKey } from '@tanstack/react-query';
import { errorCode, TRPCClientError } from '@todo/client';
import { isDatabaseAway } from '../session/database-status.ts';
import type { createWebClient, Todo, TodoCounts } from '../trpc.ts';
import { mapTodos, type TodoList } from './todo-cache.ts';
import { todoKeys, type WriteName, writeKey } from './todo-keys.ts';

/**
 * Every write to the list shares one mutation scope, so TanStack Query sends them one after
 * another in the order the user made them: a toggle and its undo can never overtake each other,
 * and writes queued offline are sent in the order they were made when the network returns.
 */
export const WRITES = { id: 'todo-writes' };

/** Whether `mutation` is one of the list's writes (under way, waiting, or restored after a reload). */
export const isListWrite = (mutation: Mutation): boolean => mutation.options.scope?.id === WRITES.id;

/** How many of the list's writes are under way or waiting their turn (paused ones included). */
export const pendingWrites = (queryClient: QueryClient): number =>
  queryClient.isMutating({ predicate: isListWrite });

export const WRITE_KEYS = Object.fromEntries(
  (['create', 'update', 'delete', 'move', 'setAllCompleted', 'clearCompleted'] as const).map((name) => [
    name,
    writeKey(name),
  ]),
) as Record<WriteName, QueryKey>;

/** The list on screen and the counts as they were before a write, to put back if it is refused. */
export type Snapshot = { listKey: QueryKey; list: TodoList | undefined; counts: TodoCounts | undefined };

/**
 * What a write's optimistic update hands on. `snapshot` is not kept across a reload (the list is
 * read again from the server after the last write instead); `title` names the todo in a notice.
 */
export type WriteContext = { snapshot?: Snapshot; title?: string };

export type CreateInput = { id: string; title: string };
/** What the details panel saves: the fields a person changed. */
export type TodoDetails = Partial<Pick<Todo, 'description' | 'dueAt' | 'priority'>>;
export type UpdateInput = { id: string; title?: string; completed?: boolean } & TodoDetails;
export type MoveInput = { id: string; afterId: string | null };

/** Sentences for the user: refusals, and queued writes dropped because their todo is gone. */
const listeners = new Set<(message: string) => void>();
export function onWriteNotice(listener: (message: string) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function notify(message: string) {
  for (const listener of listeners) listener(message);
}

/** A request that never got an answer (no network, the server unreachable): worth sending again. */
export function isUnreachable(error: unknown): boolean {
  return error instanceof TRPCClientError && error.cause instanceof TypeError;
}

/** A uuid for a new todo, proposed to the server (`todo.create`'s `id`), so a todo added offline
 * has its final id at once. `randomUUID` needs a secure context; plain http on a LAN has not. */
export function newTodoId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function reasonFor(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    const fieldErrors =
      data && typeof data === 'object' && 'zodError' in data
        ? (data.zodError as { fieldErrors?: Record<string, string[] | undefined> } | null)?.fieldErrors
        : undefined;
    const [field, messages] = Object.entries(fieldErrors ?? {})[0] ?? [];
    if (field && messages?.[0]) return `the ${field} ${messages[0]}`;
  }
  switch (errorCode(error)) {
    case 'TOO_MANY_REQUESTS':
      return 'too many changes at once, wait a moment and try again';
    case 'BAD_REQUEST':
      return 'the server did not accept it';
    default:
      return 'the server could not save it';
  }
}

function updateAction(input: UpdateInput): string {
  if (input.title !== undefined) return 'rename the todo';
  if (input.completed !== undefined) return 'update the todo';
  return 'save the details';
}

/**
 * Registers every list write on `queryClient`. The optimistic updates stay with the screen
 * (use-todo-actions.ts); this is what happens once the server answers:
 * - NOT_FOUND: the todo was deleted elsewhere (on another device, perhaps while this one was
 *   offline). The write is dropped with a notice and nothing is rolled back: the list is read
 *   again after the last write, and rolling back could undo newer changes made since.
 * - Any other refusal: the list goes back to how it was before the write, and the user is told.
 * - No answer at all (the server unreachable while the browser thinks it is online), or the
 *   server's database away (503): sent again, waiting longer each time; while the browser is
 *   offline the write waits paused.
 */
export function registerTodoWrites(queryClient: QueryClient, client: ReturnType<typeof createWebClient>) {
  const dropOrRollBack = (error: unknown, context: WriteContext | undefined, action: string) => {
    if (errorCode(error) === 'NOT_FOUND') {
      const name = context?.title ? `“${context.title}”` : 'A todo';
      return notify(
        action === 'move the todo'
          ? `A todo was deleted on another device; your move of ${name} was dropped.`
          : `${name} was deleted on another device; your change to it was dropped.`,
      );
    }
    const snapshot = context?.snapshot;
    if (snapshot) {
      queryClient.setQueryData(snapshot.listKey, snapshot.list);
      queryClient.setQueryData(todoKeys.counts(), snapshot.counts);
    }
    // An expired session sends the user to sign in; that screen says why.
    if (errorCode(error) !== 'UNAUTHORIZED') {
      notify(`Could not ${action}: ${reasonFor(error)}. Your list is back as it was.`);
    }
  };

  const settle = () => {
    const writing = pendingWrites(queryClient);
    // Refetch once the last queued write has settled; earlier refetches would briefly show
    // the server without the writes still waiting their turn.
    if (writing > 1) return;
    // Every list: the one on screen, and those of other orders and searches shown before.
    void queryClient.invalidateQueries({ queryKey: todoKeys.lists });
    void queryClient.invalidateQueries({ queryKey: todoKeys.counts() });
  };

  /** The server's version of a todo's times and position, in every cached list; the rest stays
   * as the user may have changed it since. A later live event of an older version is then seen
   * as older, and one of another todo is placed among the server's positions. */
  const takeServerKeys = (saved: Todo, always = false) =>
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

  const common = {
    scope: WRITES,
    // The write stays on screen and in the queue: sent again while the server is unreachable or
    // says its database is away (503), never dropped or rolled back for it.
    retry: (_failures: number, error: unknown) => isUnreachable(error) || isDatabaseAway(error),
    retryDelay: (failures: number) => Math.min(1_000 * 2 ** failures, 10_000),
    onSettled: settle,
  };

  queryClient.setMutationDefaults(WRITE_KEYS.create, {
    ...common,
    mutationFn: (input: CreateInput) => client.todo.create.mutate(input),
    // The draft's times and position were the browser's guess.
    onSuccess: (saved: Todo) => takeServerKeys(saved, true),
    onError: (error: unknown, _input: CreateInput, context: WriteContext | undefined) =>
      dropOrRollBack(error, context, 'add the todo'),
  });
  queryClient.setMutationDefaults(WRITE_KEYS.update, {
    ...common,
    mutationFn: (input: UpdateInput) => client.todo.update.mutate(input),
    onSuccess: (saved: Todo) => takeServerKeys(saved),
    onError: (error: unknown, input: UpdateInput, context: WriteContext | undefined) =>
      dropOrRollBack(error, context, updateAction(input)),
  });
  queryClient.setMutationDefaults(WRITE_KEYS.delete, {
    ...common,
    mutationFn: (input: { id: string }) => client.todo.delete.mutate(input),
    onError: (error: unknown, _input: { id: string }, context: WriteContext | undefined) => {
      // Deleted elsewhere too: what the user wanted has happened.
      if (errorCode(error) !== 'NOT_FOUND') dropOrRollBack(error, context, 'delete the todo');
    },
  });
  queryClient.setMutationDefaults(WRITE_KEYS.move, {
    ...common,
    mutationFn: (input: MoveInput) => client.todo.move.mutate(input),
    onSuccess: (saved: Todo) => takeServerKeys(saved),
    onError: (error: unknown, _input: MoveInput, context: WriteContext | undefined) =>
      dropOrRollBack(error, context, 'move the todo'),
  });
  queryClient.setMutationDefaults(WRITE_KEYS.setAllCompleted, {
    ...common,
    mutationFn: (input: { completed: boolean }) => client.todo.setAllCompleted.mutate(input),
    onError: (error: unknown, input: { completed: boolean }, context: WriteContext | undefined) =>
      dropOrRollBack(
        error,
        context,
        input.completed ? 'mark all todos as complete' : 'mark all todos as active',
      ),
  });
  queryClient.setMutationDefaults(WRITE_KEYS.clearCompleted, {
    ...common,
    mutationFn: () => client.todo.clearCompleted.mutate(),
    onError: (error: unknown, _input: undefined, context: WriteContext | undefined) =>
      dropOrRollBack(error, context, 'clear the completed todos'),
  });
}
