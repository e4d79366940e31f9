/**
 * One process's ear on the change log: a single LISTEN connection (Database.listen) that hands
 * this process's subscribers of an account each event of theirs as its transaction commits, in
 * any process on the same database.
 *
 * A NOTIFY names the account, the event's number and its row, never its content
 * (migrations/0014). For the accounts it has subscribers of, the feed reads the named events
 * from the log, one read for all the notices that arrived while the previous read ran, and
 * hands each to its account's subscribers in order. A subscriber whose last event is the one
 * before sends it on; otherwise (it missed one) it reads its own log after its last number
 * (changes.ts). So a lost notice costs a read, never an event. When the connection breaks (a
 * database restart) the feed reconnects by itself, with backoff, and then wakes every
 * subscriber without an event: each reads what it missed meanwhile.
 *
 * The same channel tells of ended sessions (migrations/0012), in commit order with the events:
 * `onSessionEnded` hears of a sign-out before any event committed after it.
 */
import { CHANGES_CHANNEL, type LoggedChange, notifiedChanges } from './changes.ts';
import type { Database } from './database.ts';

export type ChangeFeed = {
  /**
   * Calls `wake` with each event of `userId`'s, in commit order, and without one when it should
   * read its log instead (the feed reconnected, or an event could not be read). Returns the
   * unsubscribe.
   */
  subscribe(userId: string, wake: (event?: LoggedChange) => void): () => void;
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
  /** Told about each lost connection, failed reconnect and failed read (the server logs them). */
  onError?: (error: Error) => void;
  /** Told the id of each session that ended (sign-out, revocation, account deletion). */
  onSessionEnded?: (sessionId: string) => void;
  /**
   * Told when the feed listens again after a lost connection: sessions may have ended while it
   * was deaf, unheard.
   */
  onReconnected?: () => void;
};

/** The most notices one read of the log answers. */
const READ_BATCH = 500;

/**
 * Starts listening; resolves once the first LISTEN holds.
 *
 * @example
 * const feed = await createChangeFeed(database);
 * const stop = feed.subscribe(userId, (event) => (event ? send(event) : readMyLog()));
 */
export async function createChangeFeed(
  database: Pick<Database, 'listen' | 'db'>,
  { retryMs = 250, maxRetryMs = 5_000, onError, onSessionEnded, onReconnected }: ChangeFeedOptions = {},
): Promise<ChangeFeed> {
  const subscribers = new Map<string, Set<(event?: LoggedChange) => void>>();
  let closed = false;
  let size = 0;
  let stop: (() => Promise<void>) | null = null;
  let timer: NodeJS.Timeout | undefined;
  /** Notices waiting for the next read: the account and the log row. */
  let waiting: { userId: string; row: string }[] = [];
  let reading = false;

  const wake = (userId: string, event?: LoggedChange) => {
    for (const subscriber of subscribers.get(userId) ?? []) subscriber(event);
  };
  const wakeAll = () => {
    for (const userId of subscribers.keys()) wake(userId);
  };

  /** Reads the waiting notices' events, a batch at a time, and hands them out in order. */
  async function readWaiting() {
    reading = true;
    while (waiting.length > 0 && !closed) {
      const batch = waiting.slice(0, READ_BATCH);
      waiting = waiting.slice(READ_BATCH);
      const users = [...new Set(batch.map((notice) => notice.userId))].filter((id) => subscribers.has(id));
      try {
        const found = await notifiedChanges(
          database.db,
          batch.map((notice) => notice.row),
          users,
        );
        const missing = new Set(users);
        for (const { userId, event } of found) wake(userId, event);
        for (const { userId } of found) missing.delete(userId);
        // Pruned, or a notice of an event that is gone: those accounts read their logs.
        for (const userId of missing) wake(userId);
      } catch (error) {
        onError?.(error as Error);
        for (const userId of users) wake(userId);
      }
    }
    reading = false;
  }

  const onPayload = (payload: string) => {
    const notice = parseNotice(payload);
    if (notice === null)
      wakeAll(); // not ours to read: everyone reads their log rather than miss anything
    else if ('sessionEnded' in notice) onSessionEnded?.(notice.sessionEnded);
    else if (subscribers.has(notice.userId)) {
      waiting.push(notice);
      if (!reading) void readWaiting();
    }
  };

  const connect = () => database.listen(CHANGES_CHANNEL, onPayload, lost);

  function lost(error: Error) {
    stop = null;
    onError?.(error);
    retry(retryMs);
  }

  function retry(delay: number) {
    if (closed) return;
    timer = setTimeout(async () => {
      try {
        const stopNow = await connect();
        if (closed) return void (await stopNow());
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
      closed = true;
      clearTimeout(timer);
      // Unlistening needs the connection; when the database closed first there is nothing left
      // to unlisten, and the close must not fail the server's shutdown over it.
      await stop?.().catch(() => {});
      stop = null;
    },
  };
}

/** A NOTIFY payload as migrations/0012 and 0014 write them; null for anything else. */
function parseNotice(payload: string): { userId: string; row: string } | { sessionEnded: string } | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  const { user, row, sessionEnded } = (value ?? {}) as Record<string, unknown>;
  if (typeof sessionEnded === 'string') return { sessionEnded };
  if (typeof user !== 'string' || typeof row !== 'string' || !/^\d{1,19}$/.test(row)) return null;
  return { userId: user, row };
}
