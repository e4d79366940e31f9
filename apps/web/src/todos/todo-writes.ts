// The writes to the todo list, registered on the QueryClient by mutation key
// (`setMutationDefaults`) rather than given to each `useMutation`: a write made offline and
// restored after a reload (offline/offline-cache.ts) keeps only its key, input and state, and
// finds the rest here by its key. What each write does (its optimistic step, its call, what a
// refusal says) is todo-write-steps.ts, a chunk of its own: the first paint shows the list and
// writes nothing, so that code is fetched at start-up beside it, not in it.
import type { Mutation, QueryClient, QueryKey } from '@tanstack/react-query';
import { TRPCClientError } from '@todo/client';
import { isDatabaseAway } from '../query/database-status.ts';
import type { Todo, TodoCounts, WebClient } from '../trpc.ts';
import { chunk } from '../ui/chunk.ts';
import { type ListInput, todoKeys, WRITE_NAMES, type WriteName, writeKey } from './todo-keys.ts';
import type { TodoList } from './todo-pages.ts';
import type { TodoWrites } from './todo-write-steps.ts';

/**
 * Every write to the list shares one mutation scope, so TanStack Query sends them one after
 * another in the order the user made them: a toggle and its undo can never overtake each other,
 * and writes queued offline are sent in the order they were made when the network returns.
 * (The id is also in what offline-cache.ts saves: it stays 'todo-writes'.)
 */
const WRITE_SCOPE = { id: 'todo-writes' };

/** Whether `mutation` is one of the list's writes (under way, waiting, or restored after a reload). */
export const isListWrite = (mutation: Mutation): boolean => mutation.options.scope?.id === WRITE_SCOPE.id;

/** How many of the list's writes are under way or waiting their turn (paused ones included). */
export const pendingWrites = (queryClient: QueryClient): number =>
  queryClient.isMutating({ predicate: isListWrite });

/** The list on screen and the counts: what a write changes at once. */
export type Shown = { list: TodoList | undefined; counts: TodoCounts | undefined };

/** The list on screen and the counts as they were before a write, to put back if it is refused. */
type Snapshot = Shown & { listKey: QueryKey; countsKey: QueryKey };

/**
 * What a write's optimistic step hands on. `snapshot` is not kept across a reload (the list is
 * read again from the server after the last write instead); `title` names the todo in a notice.
 */
export type WriteContext = { snapshot?: Snapshot; title?: string };

/** What each write's `useMutation` carries (its `meta`): the list on screen, where it shows at once. */
export type WriteMeta = { list: ListInput };

/** A new todo: its title, and the due date and priority quick add found in what was typed. */
export type NewTodoDetails = Partial<Pick<Todo, 'dueAt' | 'priority'>>;
/** What the details panel saves: the fields a person changed. */
export type TodoDetails = Partial<Pick<Todo, 'description' | 'dueAt' | 'priority'>>;

export type WriteInput<Name extends WriteName> = Parameters<TodoWrites[Name]['send']>[1];
export type WriteOutput<Name extends WriteName> = Awaited<ReturnType<TodoWrites[Name]['send']>>;

/** Reads the lists and counts again once the last queued write has settled; earlier reads would
 * briefly show the server without the writes still waiting their turn. */
function settled(queryClient: QueryClient) {
  if (pendingWrites(queryClient) > 1) return;
  // Every list: the one on screen, and those of other orders and searches shown before.
  void queryClient.invalidateQueries({ queryKey: todoKeys.lists });
  void queryClient.invalidateQueries({ queryKey: todoKeys.allCounts });
  // The switcher's active counts.
  void queryClient.invalidateQueries({ queryKey: todoKeys.listsAll });
}

/** A request that never got an answer (no network, the server unreachable): worth sending again. */
function isUnreachable(error: unknown): boolean {
  return error instanceof TRPCClientError && error.cause instanceof TypeError;
}

/** The writes' code could not be fetched (no network, no service worker's copy yet): like a
 * request that got no answer, worth trying again. */
class WritesUnavailable extends Error {}

/** What the writes do (todo-write-steps.ts), loaded once; a failed load is tried again later. */
const stepsLoader = () =>
  chunk(() =>
    import('./todo-write-steps.ts').catch((error: unknown) => {
      throw new WritesUnavailable('The code of the list’s writes could not be loaded', { cause: error });
    }),
  ).load;

/**
 * Registers every list write on `queryClient`, before anything restores writes saved offline,
 * and starts fetching what the writes do. A write that gets no answer at all (the server
 * unreachable while the browser thinks it is online), finds the server's database away (503),
 * or cannot fetch its code, is tried again, waiting longer each time, and stays in the queue;
 * while the browser is offline it waits paused. (One whose code is not there yet when it starts
 * shows once the server has answered.)
 *
 * @example
 * registerTodoWrites(queryClient, createWebClient(window.location.origin));
 * useMutation({ mutationKey: writeKey('create'), meta: { list } }).mutate({ id, title });
 */
export function registerTodoWrites(queryClient: QueryClient, client: WebClient) {
  const load = stepsLoader();
  void load().catch(() => undefined);
  for (const name of WRITE_NAMES) {
    const steps = () => load().then(({ writeSteps }) => writeSteps(name, queryClient, client));
    queryClient.setMutationDefaults(writeKey(name), {
      scope: WRITE_SCOPE,
      retry: (_failures, error) =>
        isUnreachable(error) || isDatabaseAway(error) || error instanceof WritesUnavailable,
      retryDelay: (failures) => Math.min(1_000 * 2 ** failures, 10_000),
      mutationFn: async (input) => (await steps()).send(input),
      onMutate: (input, { meta }): Promise<WriteContext> =>
        steps().then(
          (write) => write.show(input, (meta as WriteMeta | undefined)?.list),
          () => ({}),
        ),
      onSuccess: async (output) => (await steps()).saved(output),
      onError: async (error, input, context) =>
        (await steps()).refused(error, input, context as WriteContext | undefined),
      onSettled: () => settled(queryClient),
    });
  }
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
