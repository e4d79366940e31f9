/**
 * `todo.changes`: the caller's change log as a stream of tracked events (contract: Realtime,
 * Lists and sharing).
 *
 * The stream subscribes to the process's change feed before it reads anything (tRPC's
 * listen-before-backfill rule), then reads the log after the last number it sent (a
 * reconnect's replay), a page at a time. After that each event from the feed either follows on
 * the last one sent (its number is one more), and is sent as it is, or it does not (one was
 * missed), and the stream reads the log again. Either way nothing falls between the replay and
 * the live events, and nothing comes twice. Event ids are the account's own numbers.
 *
 * A removal from a list (`listRemoved`) takes the list's events out of the log in its own
 * transaction; what the stream already holds in memory, in its page or from the feed, it
 * withholds from the moment the feed brings the removal (`Pending`). So nothing of the list is
 * written after that, open stream or replay.
 *
 * What one stream holds is bounded: a page of the log (changes.ts, DEFAULT_PAGE) and at most
 * MAX_NOTICES events from the feed; past that they are dropped and the log is read again. Its reads
 * go through `live.read`, the streams' share of the pool. It ends when the server aborts its
 * slot's signal (the client left, the session ended, the reader stalled, a shutdown).
 */
import {
  changeLogHead,
  changesSince,
  type DB,
  type LoggedChange,
  NoSessionError,
  type Owner,
  type TodoChange,
} from '@todo/db';
import { TRPCError, tracked } from '@trpc/server';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { streamProcedure } from '../trpc.ts';

const eventId = z.string().regex(/^\d{1,18}$/, 'must be an event id that todo.changes sent');

/** Notices one stream keeps while its reader is busy; past this it reads its log instead. */
export const MAX_NOTICES = 50;

/**
 * What the feed brought one stream that it has not sent yet, and what it knows of its removals.
 * Every event from the feed passes through `take`, kept or dropped, so a removal is known the
 * moment the feed brings it even when the notices overflow.
 */
class Pending {
  readonly notices: LoggedChange[] = [];
  /** The log must be read: the replay, a gap, too many notices, or a wake without an event. */
  mustRead = true;
  /**
   * The feed woke the stream without an event (it reconnected, or could not read one): what the
   * stream holds in memory may predate a removal it has not heard of, so it reads again instead.
   */
  unaccounted = false;
  /** The lists the account was removed from, each with the number of its `listRemoved`. */
  readonly #removedAt = new Map<string, bigint>();
  #wakeUp = () => {};

  take(event?: LoggedChange) {
    if (event?.change.type === 'listRemoved') this.#removed(event);
    if (event && this.notices.length < MAX_NOTICES) this.notices.push(event);
    else {
      this.notices.length = 0;
      this.mustRead = true;
      if (!event) this.unaccounted = true;
    }
    this.#wakeUp();
  }

  /** Whether `event` is of a list the account was removed from after it: it is never sent. */
  withheld(event: LoggedChange): boolean {
    if (event.change.type === 'listRemoved') this.#removed(event);
    const removedAt = event.listId === null ? undefined : this.#removedAt.get(event.listId);
    return removedAt !== undefined && BigInt(event.id) < removedAt;
  }

  /** Forgets the removals the stream has sent past: nothing before them can come any more. */
  passed(last: string) {
    for (const [listId, at] of this.#removedAt) if (at <= BigInt(last)) this.#removedAt.delete(listId);
  }

  /** Waits for the next `take`, or the end of the stream, whichever comes first. */
  next(signal: AbortSignal | undefined) {
    return new Promise<void>((resolve) => {
      // Aborted during the last read: an abort event that already fired never fires again.
      if (signal?.aborted) return resolve();
      const done = () => {
        signal?.removeEventListener('abort', done);
        this.#wakeUp = () => {};
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      this.#wakeUp = done;
    });
  }

  #removed(event: LoggedChange) {
    if (event.listId === null) return;
    const at = BigInt(event.id);
    if (at > (this.#removedAt.get(event.listId) ?? 0n)) this.#removedAt.set(event.listId, at);
  }
}

export const changesProcedure = streamProcedure
  .input(z.strictObject({ lastEventId: eventId.nullish() }).prefault({}))
  .subscription(async function* ({ ctx, input, signal }) {
    const { caller, live } = ctx;
    const pending = new Pending();
    const unsubscribe = live.feed.subscribe(ctx.userId, (event) => pending.take(event));
    const asCaller = <T>(read: (db: Kysely<DB>, owner: Owner) => Promise<T>) =>
      live.read(() => endsWithSession(ctx.db.as(caller, read, { readOnly: true })));
    try {
      let last = input.lastEventId ?? ctx.lastId;
      while (!signal?.aborted) {
        if (pending.mustRead) {
          pending.mustRead = false;
          pending.unaccounted = false;
          const after = last;
          const page = await asCaller((db, owner) => changesSince(db, owner, after));
          if (page) {
            for (const event of page.events) {
              if (pending.unaccounted) break; // read again from `last`
              last = event.id;
              if (!pending.withheld(event)) yield tracked(event.id, event.change);
            }
            pending.mustRead ||= page.more;
          } else {
            // The log no longer holds what the client missed: it refetches, and goes on from now.
            last = (await asCaller(changeLogHead)).lastId;
            yield tracked(last, { type: 'reset' } satisfies TodoChange);
          }
        }
        for (
          let notice = pending.notices.shift();
          notice && !pending.mustRead;
          notice = pending.notices.shift()
        ) {
          if (BigInt(notice.id) <= BigInt(last)) continue; // the last read had it
          if (BigInt(notice.id) !== BigInt(last) + 1n) {
            pending.mustRead = true;
            break;
          }
          last = notice.id;
          if (!pending.withheld(notice)) yield tracked(notice.id, notice.change);
        }
        if (!pending.mustRead && pending.notices.length === 0) {
          pending.passed(last);
          await pending.next(signal);
        }
      }
    } finally {
      unsubscribe();
    }
  });

/** A read as the stream's session: an ended session ends the stream with UNAUTHORIZED. */
async function endsWithSession<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof NoSessionError) {
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'The session ended; sign in to continue' });
    }
    throw error;
  }
}
