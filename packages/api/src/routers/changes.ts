/**
 * `todo.changes`: the caller's change log as a stream of tracked events (contract: Realtime).
 *
 * The stream subscribes to the process's change feed before it reads anything (tRPC's
 * listen-before-backfill rule), then reads the log after the last number it sent (a
 * reconnect's replay), a page at a time. After that each event from the feed either follows on
 * the last one sent (its number is one more), and is sent as it is, or it does not (one was
 * missed), and the stream reads the log again. Either way nothing falls between the replay and
 * the live events, and nothing comes twice. Event ids are the account's own numbers.
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

export const changesProcedure = streamProcedure
  .input(z.strictObject({ lastEventId: eventId.nullish() }).prefault({}))
  .subscription(async function* ({ ctx, input, signal }) {
    const { caller, live } = ctx;
    const notices: LoggedChange[] = [];
    let mustRead = true; // the replay, a feed that reconnected, a gap, or too many notices
    let wakeUp = () => {};
    const unsubscribe = live.feed.subscribe(ctx.userId, (notice) => {
      if (notice && notices.length < MAX_NOTICES) notices.push(notice);
      else {
        notices.length = 0;
        mustRead = true;
      }
      wakeUp();
    });
    const asCaller = <T>(read: (db: Kysely<DB>, owner: Owner) => Promise<T>) =>
      live.read(() => endsWithSession(ctx.db.as(caller, read, { readOnly: true })));
    try {
      let last = input.lastEventId ?? ctx.lastId;
      while (!signal?.aborted) {
        if (mustRead) {
          mustRead = false;
          const after = last;
          const page = await asCaller((db, owner) => changesSince(db, owner, after));
          if (page) {
            for (const event of page.events) {
              last = event.id;
              yield tracked(event.id, event.change);
            }
            mustRead = page.more;
          } else {
            // The log no longer holds what the client missed: it refetches, and goes on from now.
            last = (await asCaller(changeLogHead)).lastId;
            yield tracked(last, { type: 'reset' } satisfies TodoChange);
          }
        }
        for (let notice = notices.shift(); notice && !mustRead; notice = notices.shift()) {
          if (BigInt(notice.id) <= BigInt(last)) continue; // the last read had it
          if (BigInt(notice.id) !== BigInt(last) + 1n) {
            mustRead = true;
            break;
          }
          last = notice.id;
          yield tracked(notice.id, notice.change);
        }
        if (!mustRead && notices.length === 0) {
          await nextWake(signal, (resolve) => {
            wakeUp = resolve;
          });
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

/** Waits for a wake-up or the end of the stream, whichever comes first. */
function nextWake(signal: AbortSignal | undefined, onWake: (resolve: () => void) => void) {
  return new Promise<void>((resolve) => {
    // Aborted during the last read: an abort event that already fired never fires again.
    if (signal?.aborted) return resolve();
    const done = () => {
      signal?.removeEventListener('abort', done);
      onWake(() => {});
      resolve();
    };
    signal?.addEventListener('abort', done, { once: true });
    onWake(done);
  });
}
