/**
 * The server's open event streams (`todo.changes`), written to the socket by hand in tRPC's
 * server-sent-events format, and every bound on them (contract: Realtime; SECURITY.md):
 * - an account holds at most `maxPerUser` open streams; one more is refused with 429;
 * - a stream whose reader has not drained for `writeTimeoutMs` is cut: the server never
 *   buffers more for it than one page of its log (the stream's own bounds, api changes.ts);
 * - every stream's session is checked together on a timer, and a sign-out ends its streams at
 *   once (the change feed tells, migrations/0012); before a stream writes again after a stall,
 *   or past its session's expiry, that session is checked again;
 * - the streams' reads of the database share at most half of the pool.
 * A stream is a `Slot`: made for its request, opened by the procedure (`StreamSlot.open`), ended
 * by whoever ends it first, by aborting its signal. Pings and the checks run on one timer each
 * for all streams, not one per stream.
 *
 * The parts, one idea each: `Slot` (one stream's socket and state), `OpenStreams` (who is open,
 * the per-account cap), `SessionChecks` (whose session still lives), `startSweep` (pings and
 * cuts), `pumpEvents` (a stream's events onto its socket); `createEventStreams` wires them.
 */
import type { ServerResponse } from 'node:http';
import type { StreamSlot } from '@todo/api';
import { type DB, liveSessions, openStreamSession, type StreamSession } from '@todo/db';
import { isTrackedEnvelope, TRPCError } from '@trpc/server';
import type { Kysely } from 'kysely';
import pLimit from 'p-limit';
import { drained } from './drained.ts';

export type EventStreamOptions = {
  db: Kysely<DB>;
  /** Open streams per account; one more gets 429. */
  maxPerUser: number;
  /** A reader that has not drained for this long is cut. */
  writeTimeoutMs: number;
  /** How often every stream's session is checked. */
  sessionCheckMs: number;
  /** How many of the streams' database reads may run at once: half the pool. */
  readConcurrency: number;
  /** A ping after this long without a write keeps proxies from cutting an idle stream. */
  pingMs?: number;
  /** What the client is told: reconnect after this long without a ping or an event. */
  reconnectAfterInactivityMs?: number;
};

/** Why a stream ended, which decides its last words: an error event, or a cut. */
type End = 'client left' | 'session ended' | 'stalled' | 'shutdown' | 'done';

// tRPC's event-stream format (its sseStreamProducer): each event's lines, then "\n\n".
const HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
  vary: 'trpc-accept, accept',
};
const PING = 'event: ping\ndata: \n\n\n';
const RETURN = 'event: return\ndata: \n\n\n';
export const eventText = (id: string, data: unknown) => `data: ${JSON.stringify(data)}\nid: ${id}\n\n\n`;
export const errorEventText = (shape: unknown) =>
  `event: serialized-error\ndata: ${JSON.stringify(shape)}\n\n\n`;
const connectedText = (reconnectAfterInactivityMs: number) =>
  `event: connected\ndata: ${JSON.stringify({ reconnectAfterInactivityMs })}\n\n\n`;

const ENDED_SESSION = new TRPCError({
  code: 'UNAUTHORIZED',
  message: 'The session ended; sign in to continue',
});

/** What a slot asks of the streams it belongs to: to be opened, and forgotten once it ends. */
type SlotOwner = {
  open(slot: Slot, token: string): Promise<{ userId: string; lastId: string }>;
  forget(slot: Slot): void;
};

/** One open stream: its request's slot, and what the server knows of it. */
class Slot implements StreamSlot {
  readonly #controller = new AbortController();
  readonly signal = this.#controller.signal;
  res: ServerResponse | null = null;
  session: StreamSession | null = null;
  ended: End | null = null;
  lastWriteAt = 0;
  /** When a write last found the socket full (0: it is not); the sweep cuts it past the timeout. */
  blockedSince = 0;
  /** The socket drained after a stall: the session is checked before the next write. */
  stalled = false;

  constructor(private readonly owner: SlotOwner) {}

  open(token: string) {
    return this.owner.open(this, token);
  }

  /** Ends the stream: the procedure's generator stops, and the response is cut or closed. */
  end(why: End) {
    if (this.ended) return;
    this.ended = why;
    this.#controller.abort();
    this.owner.forget(this);
    // A stalled socket takes no last words: cut it now. Others get theirs from `pumpEvents`.
    if (why === 'stalled' || why === 'shutdown' || this.blockedSince !== 0) this.res?.destroy();
  }

  write(text: string): boolean {
    const res = this.res;
    if (!res || res.destroyed) return false;
    this.lastWriteAt = Date.now();
    const ok = res.write(text);
    if (!ok && this.blockedSince === 0) {
      this.blockedSince = this.lastWriteAt;
      res.once('drain', () => {
        this.blockedSince = 0;
        this.stalled = true;
      });
    }
    return ok;
  }
}

/** The streams open in this process, and each account's, held under the per-account cap. */
class OpenStreams {
  readonly all = new Set<Slot>();
  readonly #byUser = new Map<string, Set<Slot>>();

  constructor(private readonly maxPerUser: number) {}

  /** Counts an opened stream under its session's account; past the cap, TOO_MANY_REQUESTS. */
  admit(slot: Slot, session: StreamSession) {
    const ofUser = this.#byUser.get(session.userId) ?? new Set<Slot>();
    if (ofUser.size >= this.maxPerUser) {
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: `This account already has ${this.maxPerUser} open event streams; close one and try again`,
      });
    }
    slot.session = session;
    ofUser.add(slot);
    this.#byUser.set(session.userId, ofUser);
    this.all.add(slot);
  }

  forget(slot: Slot) {
    this.all.delete(slot);
    const userId = slot.session?.userId;
    const ofUser = userId === undefined ? undefined : this.#byUser.get(userId);
    ofUser?.delete(slot);
    if (userId !== undefined && ofUser?.size === 0) this.#byUser.delete(userId);
  }

  /** How many streams wait for their reader to drain. */
  blocked() {
    let blocked = 0;
    for (const slot of this.all) if (slot.blockedSince !== 0) blocked++;
    return blocked;
  }
}

/** The most sessions one lookup asks after. */
const SESSION_BATCH = 1_000;

/** Whether each open stream's session still lives; a stream whose session ended is ended. */
class SessionChecks {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly streams: OpenStreams,
  ) {}

  /** Ends every stream whose session no longer lives; the others learn their new expiry. */
  async check(slots: Iterable<Slot> = this.streams.all) {
    const bySession = new Map<string, Slot[]>();
    for (const slot of slots) {
      if (!slot.session) continue;
      const same = bySession.get(slot.session.sessionId);
      if (same) same.push(slot);
      else bySession.set(slot.session.sessionId, [slot]);
    }
    const ids = [...bySession.keys()];
    for (let start = 0; start < ids.length; start += SESSION_BATCH) {
      const batch = ids.slice(start, start + SESSION_BATCH);
      const live = await liveSessions(this.db, batch);
      for (const id of batch) {
        const expiresAt = live.get(id);
        for (const slot of bySession.get(id) ?? []) {
          if (expiresAt === undefined) slot.end('session ended');
          else if (slot.session) slot.session.expiresAt = expiresAt;
        }
      }
    }
  }

  /** Ends the streams of a session the change feed says has ended. */
  end(sessionId: string) {
    for (const slot of this.streams.all) if (slot.session?.sessionId === sessionId) slot.end('session ended');
  }

  /** Whether the stream's session must be asked again before it writes: after a stall, or past its expiry. */
  mustAsk(slot: Slot): boolean {
    return slot.stalled || (slot.session !== null && Date.now() >= slot.session.expiresAt);
  }

  /** Whether the stream may write now: after a stall or past its expiry, its session is asked again. */
  async mayWrite(slot: Slot): Promise<boolean> {
    if (this.mustAsk(slot)) {
      slot.stalled = false;
      await this.check([slot]);
    }
    return slot.ended === null;
  }
}

/**
 * One timer for every stream: pings the idle ones, and cuts those whose socket has not drained
 * for `writeTimeoutMs`. It runs a few times per the shorter of the two periods.
 */
function startSweep(
  streams: OpenStreams,
  { writeTimeoutMs, pingMs }: { writeTimeoutMs: number; pingMs: number },
) {
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const slot of streams.all) {
        if (slot.blockedSince !== 0) {
          if (now - slot.blockedSince >= writeTimeoutMs) slot.end('stalled');
        } else if (slot.res && now - slot.lastWriteAt >= pingMs) slot.write(PING);
      }
    },
    Math.max(50, Math.min(5_000, Math.floor(Math.min(pingMs, writeTimeoutMs) / 3))),
  );
  sweep.unref();
  return sweep;
}

/**
 * Writes an opened stream's events to its response until it ends: the procedure's events as
 * they come, waiting for the socket to drain between them, its error as tRPC's
 * `serialized-error` event.
 */
async function pumpEvents(
  slot: Slot,
  res: ServerResponse,
  events: AsyncIterable<unknown>,
  {
    connected,
    errorShape,
    sessions,
  }: {
    connected: string;
    errorShape: (cause: unknown) => unknown;
    sessions: SessionChecks;
  },
) {
  slot.res = res;
  res.once('close', () => slot.end('client left'));
  if (res.destroyed) slot.end('client left'); // it left while the stream opened
  res.writeHead(200, HEADERS);
  slot.write(connected);
  const iterator = events[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (slot.blockedSince !== 0) await drained(res);
      // The session is asked before the next event is taken, and the event written as soon as
      // it comes: what the procedure withholds when it comes (a list the account was just
      // removed from) stays withheld up to the write. Only a stream whose socket stalled, or
      // whose session expired, while it waited for the event asks again in between.
      if (!(await sessions.mayWrite(slot))) break;
      const next = await iterator.next();
      if (next.done || slot.ended) break;
      if (sessions.mustAsk(slot) && !(await sessions.mayWrite(slot))) break;
      const value = next.value;
      if (isTrackedEnvelope(value)) slot.write(eventText(value[0], value[1]));
    }
    if (!slot.ended) slot.write(RETURN);
    else if (slot.ended === 'session ended') slot.write(errorEventText(errorShape(ENDED_SESSION)));
  } catch (cause) {
    if (!slot.ended) slot.write(errorEventText(errorShape(cause)));
  } finally {
    slot.end('done');
    void iterator.return?.().catch(() => {});
    if (!res.destroyed) res.end();
  }
}

export type EventStreams = ReturnType<typeof createEventStreams>;

/**
 * @example
 * const streams = createEventStreams({ db, maxPerUser: 20, writeTimeoutMs: 30_000, sessionCheckMs: 30_000, readConcurrency: 5 });
 * const slot = streams.slot(); // handed to the procedure through its context
 */
export function createEventStreams(options: EventStreamOptions) {
  const connected = connectedText(options.reconnectAfterInactivityMs ?? 40_000);
  // p-limit: a FIFO of the reads waiting for the streams' share of the pool.
  const reads = pLimit(Math.max(1, options.readConcurrency));
  const open = new OpenStreams(options.maxPerUser);
  const sessions = new SessionChecks(options.db, open);
  const sweep = startSweep(open, {
    writeTimeoutMs: options.writeTimeoutMs,
    pingMs: options.pingMs ?? 15_000,
  });
  const sessionTimer = setInterval(() => void sessions.check().catch(() => {}), options.sessionCheckMs);
  sessionTimer.unref();

  const streams = {
    /** The slot for one stream request, before its procedure runs. */
    slot: (): Slot => new Slot(streams),

    /** `StreamSlot.open`: the session, the account's cap, and the stream counted. */
    async open(slot: Slot, token: string): Promise<{ userId: string; lastId: string }> {
      const session = await reads(() => openStreamSession(options.db, token));
      if (!session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue' });
      if (slot.ended) throw new TRPCError({ code: 'CLIENT_CLOSED_REQUEST', message: 'The client left' });
      open.admit(slot, session);
      return { userId: session.userId, lastId: session.lastId };
    },

    forget: (slot: Slot) => open.forget(slot),

    /** Writes an opened stream's events to its response until it ends (`pumpEvents`). */
    pump: (
      slot: Slot,
      res: ServerResponse,
      events: AsyncIterable<unknown>,
      errorShape: (cause: unknown) => unknown,
    ) => pumpEvents(slot, res, events, { connected, errorShape, sessions }),

    /**
     * Runs a stream's read of the log within the streams' share of the pool, after a turn of
     * the event loop: a replay's reads follow each other without any I/O between them, and on
     * PGlite, which runs in this thread, they would otherwise keep every socket waiting.
     */
    read: <T>(fn: () => Promise<T>) => reads(() => nextTurn().then(fn)),
    endSession: (sessionId: string) => sessions.end(sessionId),
    /** Checks every open stream's session now (the change feed was deaf for a while). */
    checkSessions: () => sessions.check(),
    get size() {
      return open.all.size;
    },
    /** Open streams, and how many of them wait for their reader to drain. */
    stats: () => ({ open: open.all.size, blocked: open.blocked() }),
    /** Cuts every stream: their clients reconnect, to another instance, and replay. */
    close() {
      clearInterval(sweep);
      clearInterval(sessionTimer);
      for (const slot of open.all) slot.end('shutdown');
    },
  };
  return streams;
}

/** Resolves after a turn of the event loop, once pending I/O has run. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
