/**
 * One process's ear on the change log: a single LISTEN connection (Database.listen) that hands
 * this process's subscribers of an account each event of theirs as its transaction commits, in
 * any process on the same database.
 *
 * A NOTIFY names up to 100 events, each by its account and its row, never their content
 * (migrations/0014, 0016: one write to a shared list is one NOTIFY for all its members). For the
 * accounts it has subscribers of, the feed reads the named events
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

type Subscriber = (event?: LoggedChange) => void;

/** Each account's subscribers in this process, and the wake-ups handed to them. */
class Subscribers {
  readonly #byUser = new Map<string, Set<Subscriber>>();
  size = 0;

  has(userId: string) {
    return this.#byUser.has(userId);
  }

  /** Adds a subscriber; the answer removes it, once. */
  add(userId: string, subscriber: Subscriber): () => void {
    const set = this.#byUser.get(userId) ?? new Set();
    this.#byUser.set(userId, set);
    set.add(subscriber);
    this.size++;
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.size--;
      set.delete(subscriber);
      if (set.size === 0) this.#byUser.delete(userId);
    };
  }

  wake(userId: string, event?: LoggedChange) {
    for (const subscriber of this.#byUser.get(userId) ?? []) subscriber(event);
  }

  /** Every subscriber reads their log: the feed cannot say what they missed. */
  wakeAll() {
    for (const userId of this.#byUser.keys()) this.wake(userId);
  }
}

/**
 * Reads the events that notices named, for the accounts with subscribers here: one read for all
 * the notices that arrived while the previous read ran, its events handed out in order.
 */
class NoticeReader {
  /** Notices waiting for the next read: the account and the log row. */
  #waiting: { userId: string; row: string }[] = [];
  #reading = false;
  closed = false;

  constructor(
    private readonly db: Database['feedDb'],
    private readonly subscribers: Subscribers,
    private readonly onError?: (error: Error) => void,
  ) {}

  add(events: { userId: string; row: string }[]) {
    const served = events.filter((event) => this.subscribers.has(event.userId));
    if (served.length === 0) return;
    this.#waiting.push(...served);
    if (!this.#reading) void this.#readWaiting();
  }

  async #readWaiting() {
    this.#reading = true;
    while (this.#waiting.length > 0 && !this.closed) {
      const batch = this.#waiting.slice(0, READ_BATCH);
      this.#waiting = this.#waiting.slice(READ_BATCH);
      const users = [...new Set(batch.map((notice) => notice.userId))].filter((id) =>
        this.subscribers.has(id),
      );
      try {
        const found = await notifiedChanges(
          this.db,
          batch.map((notice) => notice.row),
          users,
        );
        const missing = new Set(users);
        for (const { userId, event } of found) this.subscribers.wake(userId, event);
        for (const { userId } of found) missing.delete(userId);
        // Pruned, or a notice of an event that is gone: those accounts read their logs.
        for (const userId of missing) this.subscribers.wake(userId);
      } catch (error) {
        this.onError?.(error as Error);
        for (const userId of users) this.subscribers.wake(userId);
      }
    }
    this.#reading = false;
  }
}

/**
 * Starts listening; resolves once the first LISTEN holds.
 *
 * @example
 * const feed = await createChangeFeed(database);
 * const stop = feed.subscribe(userId, (event) => (event ? send(event) : readMyLog()));
 */
export async function createChangeFeed(
  database: Pick<Database, 'listen' | 'feedDb'>,
  { retryMs = 250, maxRetryMs = 5_000, onError, onSessionEnded, onReconnected }: ChangeFeedOptions = {},
): Promise<ChangeFeed> {
  const subscribers = new Subscribers();
  const reader = new NoticeReader(database.feedDb, subscribers, onError);
  let stop: (() => Promise<void>) | null = null;
  let timer: NodeJS.Timeout | undefined;

  const onPayload = (payload: string) => {
    const notice = parseNotice(payload);
    if (notice === null)
      subscribers.wakeAll(); // not ours to read: everyone reads their log rather than miss anything
    else if ('sessionEnded' in notice) onSessionEnded?.(notice.sessionEnded);
    else reader.add(notice.events);
  };

  const connect = () => database.listen(CHANGES_CHANNEL, onPayload, lost);

  function lost(error: Error) {
    stop = null;
    onError?.(error);
    retry(retryMs);
  }

  function retry(delay: number) {
    if (reader.closed) return;
    timer = setTimeout(async () => {
      try {
        const stopNow = await connect();
        if (reader.closed) return void (await stopNow());
        stop = stopNow;
        subscribers.wakeAll(); // whatever committed while we were deaf is in the log
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
    subscribe: (userId, subscriber) => subscribers.add(userId, subscriber),
    get size() {
      return subscribers.size;
    },
    get listening() {
      return stop !== null;
    },
    async close() {
      reader.closed = true;
      clearTimeout(timer);
      // Unlistening needs the connection; when the database closed first there is nothing left
      // to unlisten, and the close must not fail the server's shutdown over it.
      await stop?.().catch(() => {});
      stop = null;
    },
  };
}

type Notice = { events: { userId: string; row: string }[] } | { sessionEnded: string };

/**
 * A NOTIFY payload as migrations/0012 and 0016 write them (`{"sessionEnded": id}`,
 * `{"events": [[account, row], …]}`); null for anything else.
 */
function parseNotice(payload: string): Notice | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  const { events, sessionEnded } = (value ?? {}) as Record<string, unknown>;
  if (typeof sessionEnded === 'string') return { sessionEnded };
  if (!Array.isArray(events)) return null;
  const named: { userId: string; row: string }[] = [];
  for (const event of events) {
    const [userId, row] = Array.isArray(event) ? event : [];
    if (typeof userId !== 'string' || typeof row !== 'string' || !/^\d{1,19}$/.test(row)) return null;
    named.push({ userId, row });
  }
  return { events: named };
}
