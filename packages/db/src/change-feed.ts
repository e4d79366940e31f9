/**
 * One process's ear on the change log: a single LISTEN connection (Database.listen) that wakes
 * this process's subscribers of a user when a transaction that changed that user's todos
 * commits, in any process on the same database. A wake-up carries no data: the subscriber then
 * reads its log after the last id it sent (changes.ts), so a lost or merged NOTIFY costs
 * nothing. When the connection breaks (a database restart) the feed reconnects by itself, with
 * backoff, and then wakes every subscriber, whose reads replay what they missed meanwhile.
 */
import { CHANGES_CHANNEL } from './changes.ts';
import type { Database } from './database.ts';

export type ChangeFeed = {
  /**
   * Calls `wake` after each commit that changed `userId`'s todos, and after the feed
   * reconnected. Returns the unsubscribe.
   */
  subscribe(userId: string, wake: () => void): () => void;
  /** Aborted when the feed closes (the server shuts down): subscribers end their streams. */
  readonly closed: AbortSignal;
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
  { retryMs = 250, maxRetryMs = 5_000, onError }: ChangeFeedOptions = {},
): Promise<ChangeFeed> {
  const subscribers = new Map<string, Set<() => void>>();
  const closing = new AbortController();
  let size = 0;
  let stop: (() => Promise<void>) | null = null;
  let timer: NodeJS.Timeout | undefined;

  const wake = (userId: string) => {
    for (const subscriber of subscribers.get(userId) ?? []) subscriber();
  };
  const wakeAll = () => {
    for (const userId of subscribers.keys()) wake(userId);
  };

  const connect = () => database.listen(CHANGES_CHANNEL, wake, lost);

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
    closed: closing.signal,
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
