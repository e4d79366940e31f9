/**
 * `todo.changes`: the caller's change log as a stream of tracked events (contract: Realtime).
 *
 * The stream subscribes to the process's change feed before it reads anything (tRPC's
 * listen-before-backfill rule), then reads the log after the last id it sent whenever the feed
 * wakes it: a reconnect's replay and the live events come from the same reads, so nothing
 * falls between them and nothing comes twice. Every read acts as the caller's session, and a
 * stream that has not read for `sessionCheckMs` reads anyway: when the session has ended, the
 * read fails and the stream closes with UNAUTHORIZED.
 */
import { changeLogHead, changesSince, NoSessionError, type TodoChange } from '@todo/db';
import { TRPCError, tracked } from '@trpc/server';
import { z } from 'zod';
import { streamProcedure } from '../trpc.ts';

const eventId = z.string().regex(/^\d{1,18}$/, 'must be an event id that todo.changes sent');

export const changesProcedure = streamProcedure
  .input(z.strictObject({ lastEventId: eventId.nullish() }).prefault({}))
  .subscription(async function* ({ ctx, input, signal }) {
    const { caller, live } = ctx;
    const stop = AbortSignal.any(signal ? [signal, live.feed.closed] : [live.feed.closed]);
    let due = false; // a wake-up came since the last read began
    let wakeUp = () => {};
    const unsubscribe = live.feed.subscribe(ctx.userId, () => {
      due = true;
      wakeUp();
    });
    try {
      let last = input.lastEventId ?? ctx.lastId;
      while (!stop.aborted) {
        due = false;
        const events = await asCaller(() =>
          ctx.db.as(caller, (db, owner) => changesSince(db, owner, last), { readOnly: true }),
        );
        if (events) {
          for (const event of events) {
            last = event.id;
            yield tracked(event.id, event.change);
          }
        } else {
          // The log no longer holds what the client missed: it refetches, and goes on from now.
          last = (await asCaller(() => ctx.db.as(caller, changeLogHead, { readOnly: true }))).lastId;
          yield tracked(last, { type: 'reset' } satisfies TodoChange);
        }
        if (!due) {
          await nextWake(stop, live.sessionCheckMs, (resolve) => {
            wakeUp = resolve;
          });
        }
      }
    } finally {
      unsubscribe();
    }
  });

/** Runs a read as the stream's caller; an ended session ends the stream. */
async function asCaller<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof NoSessionError) {
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'The session ended; sign in to continue' });
    }
    throw error;
  }
}

/** Waits for a wake-up, `timeoutMs`, or `stop`, whichever comes first. */
function nextWake(stop: AbortSignal, timeoutMs: number, onWake: (resolve: () => void) => void) {
  return new Promise<void>((resolve) => {
    // Aborted during the last read (the client left, the server closes): an abort event that
    // already fired never fires again, so the stream would linger until the timeout.
    if (stop.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      onWake(() => {});
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    stop.addEventListener('abort', done, { once: true });
    onWake(done);
  });
}
