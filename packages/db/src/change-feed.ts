/**
 * One process's ear on the change log: a single LISTEN connection (Database.listen) that tells
 * this process's subscribers of a user about each event of theirs as its transaction commits,
 * in any process on the same database.
 *
 * A notice names the event's id and the id of the user's event before it (`prev`), and carries
 * the event when it fit in NOTIFY's payload. A subscriber whose last event is `prev` may send
 * the event on as it is; otherwise (it missed one, or the notice has no event) it reads its log
 * after its last id (changes.ts). So a lost notice costs a read, never an event. When the
 * connection breaks (a database restart) the feed reconnects by itself, with backoff, and then
 * wakes every subscriber without a notice: each reads what it missed meanwhile.
 *
 * The same channel tells of ended sessions (migrations/0012), in commit order with the events:
 * `onSessionEnded` hears of a sign-out before any notice of a change committed after it.
 */
import { CHANGES_CHANNEL, type TodoChange } from './changes.ts';
import type { Database } from './database.ts';

/** One committed event, as its NOTIFY told it; `change` is absent when it did not fit. */
export type ChangeNotice = { id: string; prev: string; change?: TodoChange };

export type ChangeFeed = {
  /**
   * Calls `wake` with the notice of each event of `userId`'s, in commit order, and without one
   * after the feed reconnected (read the log: notices may have been missed). Returns the
   * unsubscribe.
   */
  subscribe(userId: string, wake: (notice?: ChangeNotice) => void): () => void;
  /** Open subscriptions, for metrics and tests. */
  readonly size: number;
  /** Whether the LISTEN connection is up right now. */
  readonly listening: boolean;
  close(): Promise<void>;
};

export type ChangeFeedOptions = {
  /** First wait before reconnecting, doubled per failure up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Told about each lost connection and failed reconnect (the server logs them). */
  onError?: (error: Error) => void;
  /** Told the id of each session that ended (sign-out, revocation, account deletion). */
  onSessionEnded?: (sessionId: string) => void;
  /**
   * Told when the feed listens again after a lost connection: sessions may have ended while it
   * was deaf, unheard.
   */
  onReconnected?: () => void;
};

/**
 * Starts listening; resolves once the first LISTEN holds.
 *
 * @example
 * const feed = await createChangeFeed(database);
 * const stop = feed.subscribe(userId, () => readMyChanges());
 */
export async function createChangeFeed(
  database: Pick<Database, 'listen'>,
  { retryMs = 250, maxRetryMs = 5_000, onError, onSessionEnded, onReconnected }: ChangeFeedOptions = {},
): Promise<ChangeFeed> {
  const subscribers = new Map<string, Set<(notice?: ChangeNotice) => void>>();
  const closing = new AbortController();
  let size = 0;
  let stop: (() => Promise<void>) | null = null;
  let timer: NodeJS.Timeout | undefined;

  const wake = (userId: string, notice?: ChangeNotice) => {
    for (const subscriber of subscribers.get(userId) ?? []) subscriber(notice);
  };
  const wakeAll = () => {
    for (const userId of subscribers.keys()) wake(userId);
  };
  const onPayload = (payload: string) => {
    const notice = parseNotice(payload);
    if (notice === null)
      wakeAll(); // not ours to read: everyone reads their log rather than miss anything
    else if ('sessionEnded' in notice) onSessionEnded?.(notice.sessionEnded);
    else wake(notice.userId, notice.notice);
  };

  const connect = () => database.listen(CHANGES_CHANNEL, onPayload, lost);

  function lost(error: Error) {
    stop = null;
    onError?.(error);
    retry(retryMs);
  }

  function retry(delay: number) {
    if (closing.signal.aborted) return;
    timer = setTimeout(async () => {
      try {
        const stopNow = await connect();
        if (closing.signal.aborted) return void (await stopNow());
        stop = stopNow;
        wakeAll(); // whatever committed while we were deaf is in the log
        onReconnected?.();
      } catch (error) {
        onError?.(error as Error);
        retry(Math.min(delay * 2, maxRetryMs));
      }
    }, delay);
    timer.unref();
  }

  stop = await connect();

  return {
    subscribe(userId, subscriber) {
      const set = subscribers.get(userId) ?? new Set();
      subscribers.set(userId, set);
      set.add(subscriber);
      size++;
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        size--;
        set.delete(subscriber);
        if (set.size === 0) subscribers.delete(userId);
      };
    },
    get size() {
      return size;
    },
    get listening() {
      return stop !== null;
    },
    async close() {
      closing.abort();
      clearTimeout(timer);
      // Unlistening needs the connection; when the database closed first there is nothing left
      // to unlisten, and the close must not fail the server's shutdown over it.
      await stop?.().catch(() => {});
      stop = null;
    },
  };
}

/** A NOTIFY payload as migrations/0007 and 0012 write them; null for anything else. */
function parseNotice(
  payload: string,
): { userId: string; notice: ChangeNotice } | { sessionEnded: string } | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  const { userId, id, prev, kind, todoId, todo, sessionEnded } = (value ?? {}) as Record<string, unknown>;
  if (typeof sessionEnded === 'string') return { sessionEnded };
  if (typeof userId !== 'string' || typeof id !== 'string' || typeof prev !== 'string') return null;
  const change: TodoChange | undefined =
    kind === 'upsert' && todo && typeof todo === 'object'
      ? { type: 'upsert', todo: todo as Extract<TodoChange, { type: 'upsert' }>['todo'] }
      : kind === 'delete' && typeof todoId === 'string'
        ? { type: 'delete', id: todoId }
        : kind === 'reset'
          ? { type: 'reset' }
          : undefined;
  return { userId, notice: change ? { id, prev, change } : { id, prev } };
}
