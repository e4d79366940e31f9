import { onlineManager, partialMatchKey, type QueryClient } from '@tanstack/react-query';
import type { RouterOutputs } from '@todo/client';
import type { Todo, TodoChange, TodoCounts, useTRPCClient } from '../trpc.ts';
import { countsAfterChange, covers, listViewOf, showsEverything, withTodo } from './live-changes.ts';
import { removeTodos } from './todo-cache.ts';
import { listInputOf, todoKeys } from './todo-keys.ts';
import { type TodoList, todosOf } from './todo-pages.ts';
import { pendingWrites } from './todo-writes.ts';
import { type Connection, openReads, readsOpen } from './use-live-todos.ts';
// Fetched with this chunk, not after it: the stream's first subscription needs it at once.
import '../live-link.ts';
import { applyListEvent } from '../lists/list-events.ts';
import { databaseStatus, isDatabaseAway } from '../query/database-status.ts';

type ListsAll = RouterOutputs['list']['all'];

const BACK_MS = 4_000;
const RETRY_MS = [1_000, 2_000, 5_000, 10_000];

export type LiveSyncOptions = {
  client: ReturnType<typeof useTRPCClient>;
  queryClient: QueryClient;
  setConnection: (connection: Connection) => void;
};

/**
 * Opens the tab's one `todo.changes` stream and folds its events into the TanStack Query cache
 * as they arrive; returns what stops it. Loaded on demand by useLiveTodos, after the first paint.
 *
 * - An upsert or a delete changes every cached list in place, whatever its order, filter, search
 *   or due range: an upsert's todo carries its position, so it says where a moved todo went.
 * - While one of the tab's own writes is under way, events are left alone: the optimistic state
 *   is newer than anything in them, and the refetch after the last write reads them anyway.
 * - While a list is being read, an event restarts the read instead of writing into a result the
 *   read is about to replace with something older.
 * - An event older than the cached todo (`updatedAt`) is dropped, so a late echo of the tab's
 *   own change cannot undo a newer one.
 * - `reset`, a stream back after a loss, and a stream that starts without a `lastEventId`
 *   (nothing says what came before it) when the lists were read before it opened, refetch. On
 *   load the lists wait for the stream (`readsOpen`), so the first read is made once, after it.
 */
export function startLiveSync({ client, queryClient, setConnection }: LiveSyncOptions): () => void {
  const connection = connectionReporter(setConnection);
  let lastEventId: string | undefined;
  let stream: { unsubscribe(): void } | undefined;
  let active: object | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;

  const stop = () => {
    clearTimeout(retryTimer);
    const current = stream;
    active = undefined;
    stream = undefined;
    current?.unsubscribe();
  };
  const start = () => {
    stop();
    // Callbacks of a stream that was replaced or stopped are ignored (they can still fire).
    const own = {};
    active = own;
    stream = client.todo.changes.subscribe(lastEventId ? { lastEventId } : {}, {
      onStarted: () => {
        if (active !== own) return;
        const readBefore = readsOpen();
        openReads(queryClient);
        started(queryClient, connection, lastEventId !== undefined, readBefore);
      },
      onConnectionStateChange: (state) => {
        if (active !== own) return;
        // A stream opens only with the database's answer; one refused with 503 says it is away.
        if (state.state === 'pending') {
          databaseStatus(queryClient).set(false);
          failures = 0;
          connection.live();
        } else if (state.state === 'connecting' && state.error) {
          if (isDatabaseAway(state.error)) databaseStatus(queryClient).set(true);
          openReads(queryClient);
          connection.lost();
        }
      },
      onData: ({ id, data }) => {
        if (active !== own) return;
        lastEventId = id;
        applyChange(queryClient, data);
      },
      onError: () => {
        if (active !== own) return;
        openReads(queryClient);
        connection.lost();
        // Asking the server again also finds out whether the session ended: an UNAUTHORIZED
        // answer takes the app back to sign-in (query-client.ts).
        void queryClient.invalidateQueries({ queryKey: todoKeys.allCounts });
        const delay = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)];
        failures += 1;
        retryTimer = setTimeout(start, delay);
      },
      // The server ended the stream (it is shutting down, for one): open the next one.
      onComplete: () => {
        if (active === own) retryTimer = setTimeout(start, RETRY_MS[0]);
      },
    });
  };

  // The browser knows before the stream does that the network went or came back.
  const onOffline = () => connection.lost();
  const onOnline = () => {
    if (connection.isLost()) start();
  };
  window.addEventListener('offline', onOffline);
  window.addEventListener('online', onOnline);
  // A page opened offline (from the service worker's copy) says so at once; the stream's
  // first attempt then fails, and the browser's online event starts the next one.
  if (!navigator.onLine) connection.lost();
  start();
  return () => {
    window.removeEventListener('offline', onOffline);
    window.removeEventListener('online', onOnline);
    connection.stop();
    stop();
  };
}

/**
 * A stream has started. Without an id the server starts from now: lists read before it opened
 * (`readBefore`) are read again. After a loss the lists are read again even with one: the
 * server answered, so the network is back whatever the browser's own online event says yet (a
 * read it holds back as offline would wait for that event), and the replay then only brings
 * what follows.
 */
function started(
  queryClient: QueryClient,
  connection: ReturnType<typeof connectionReporter>,
  resumed: boolean,
  readBefore: boolean,
) {
  if (connection.isLost()) {
    onlineManager.setOnline(true);
    refetchAll(queryClient);
  } else if (!resumed && readBefore) {
    refetchAll(queryClient);
  }
}

/** Tells the screen how the stream is doing: `offline` once lost, `back` for a moment on its return. */
function connectionReporter(setConnection: (connection: Connection) => void) {
  let lost = false;
  let backTimer: ReturnType<typeof setTimeout> | undefined;
  return {
    isLost: () => lost,
    lost() {
      lost = true;
      clearTimeout(backTimer);
      setConnection('offline');
    },
    live() {
      if (!lost) return setConnection('live');
      lost = false;
      setConnection('back');
      clearTimeout(backTimer);
      backTimer = setTimeout(() => setConnection('live'), BACK_MS);
    },
    stop: () => clearTimeout(backTimer),
  };
}

/** Everything about todos is read again, unless the tab's own writes are under way (their last
 * answer reads it all anyway). */
function refetchAll(queryClient: QueryClient) {
  if (pendingWrites(queryClient) === 0) void queryClient.invalidateQueries({ queryKey: todoKeys.all });
}

/** One event into the cache; none while the tab's own writes are under way. */
function applyChange(queryClient: QueryClient, change: TodoChange) {
  if (change.type === 'reset') return refetchAll(queryClient);
  if (change.type === 'list' || change.type === 'listRemoved') return applyListEvent(queryClient, change);
  if (pendingWrites(queryClient) > 0) return;
  foldChange(queryClient, change);
}

/** The Inbox's id, from the switcher's `list.all` (the Inbox's keys and calls name no list). */
function inboxIdOf(queryClient: QueryClient): string | undefined {
  return queryClient.getQueryData<ListsAll>(todoKeys.listsAll)?.lists.find((list) => list.isInbox)?.id;
}

/**
 * Writes one upsert or delete into the cached lists of the event's list and its counts, or
 * refetches what it cannot: a list being read, one whose input this code does not know, or any
 * list while the Inbox's id is not known yet. A todo moved to another list leaves the others.
 */
function foldChange(queryClient: QueryClient, change: Extract<TodoChange, { type: 'upsert' | 'delete' }>) {
  const id = change.type === 'upsert' ? change.todo.id : change.id;
  const after = change.type === 'upsert' ? change.todo : undefined;
  const target = change.type === 'upsert' ? change.todo.listId : change.listId;
  const inboxId = inboxIdOf(queryClient);
  const lists = queryClient.getQueriesData<TodoList>({ queryKey: todoKeys.lists });

  const before = lists.flatMap(([, list]) => todosOf(list)).find((todo) => todo.id === id);
  if (before && after && before.updatedAt > after.updatedAt) return;
  const moved = before !== undefined && before.listId !== target;

  // Whether the counts can be worked out here: the todo was cached, or a complete-enough list of
  // every todo (no filter, search or due range) shows that it is new (or, for a delete, that it
  // was never there).
  let countsKnown = before !== undefined && !moved;
  for (const [key, list] of lists) {
    const { listId, ...input } = (listInputOf(key) ?? {}) as { listId?: string; allLists?: boolean };
    const view = listInputOf(key) === undefined ? null : listViewOf(input);
    // A list across every list (Today, Upcoming) holds the todo's list too.
    const listOfKey = input.allLists ? target : (listId ?? inboxId);
    const fetching = queryClient.isFetching({ queryKey: key, exact: true }) > 0;
    if (!view || !list || fetching || !listOfKey) {
      void queryClient.invalidateQueries({ queryKey: key, exact: true });
      continue;
    }
    if (listOfKey !== target) {
      if (todosOf(list).some((todo) => todo.id === id))
        queryClient.setQueryData<TodoList>(
          key,
          removeTodos(list, (todo) => todo.id === id),
        );
      continue;
    }
    if (!before && showsEverything(view) && (!after || covers(view, list, after))) {
      countsKnown = countsKnown || after !== undefined || list.pages.at(-1)?.nextCursor === null;
    }
    queryClient.setQueryData<TodoList>(
      key,
      after ? withTodo(view, list, after) : removeTodos(list, (todo) => todo.id === id),
    );
  }
  foldCounts(queryClient, countsKnown && !!inboxId, target === inboxId ? undefined : target, before, after);
  // The switcher's active counts, and any other query about todos (one todo's details, say).
  void queryClient.invalidateQueries({ queryKey: todoKeys.listsAll });
  void queryClient.invalidateQueries({
    queryKey: todoKeys.all,
    predicate: (query) =>
      !partialMatchKey(query.queryKey, todoKeys.lists) &&
      !partialMatchKey(query.queryKey, todoKeys.allCounts),
  });
}

/** The event's list's counts, worked out when `known`; every list's counts read again otherwise. */
function foldCounts(
  queryClient: QueryClient,
  known: boolean,
  listId: string | undefined,
  before: Todo | undefined,
  after: Todo | undefined,
) {
  const countsKey = todoKeys.counts(listId);
  const counts = queryClient.getQueryData<TodoCounts>(countsKey);
  const countsFetching = queryClient.isFetching({ queryKey: countsKey }) > 0;
  if (counts && known && !countsFetching) {
    queryClient.setQueryData<TodoCounts>(countsKey, countsAfterChange(counts, before, after));
  } else {
    void queryClient.invalidateQueries({ queryKey: todoKeys.allCounts });
  }
}
