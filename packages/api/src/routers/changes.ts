/**
 * `todo.changes`: the caller's change log as a stream of tracked events (contract: Realtime).
 *
 * The stream subscribes to the process's change feed before it reads anything (tRPC's
 * listen-before-backfill rule), then reads the log after the last id it sent: a reconnect's
 * replay. After that each notice from the feed either follows on the last event sent (its
 * `prev` is that id, and it carries the event), and is sent as it is, or it does not (a notice
 * was missed, or the event was too large for it), and the stream reads the log again. Either
 * way nothing falls between the replay and the live events, and nothing comes twice.
 *
 * Every read acts as the caller's session, and a stream that has not read for `sessionCheckMs`
 * reads anyway: when the session has ended, the read fails and the stream closes with
 * UNAUTHORIZED.
 */
import { type ChangeNotice, changeLogHead, changesSince, NoSessionError, type TodoChange } from '@todo/db';
import { TRPCError, tracked } from '@trpc/server';
import { z } from 'zod';
import { streamProcedure } from '../trpc.ts';

const eventId = z.string().regex(/^\d{1,18}$/, 'must be an event id that todo.changes sent');

export const changesProcedure = streamProcedure
  .input(z.strictObject({ lastEventId: eventId.nullish() }).prefault({}))
  .subscription(async function* ({ ctx, input, signal }) {
    const { caller, live } = ctx;
    // The client left (tRPC's signal) or the server closes (the feed's): either stops the
    // stream. Listened to one by one rather than through `AbortSignal.any`, whose combined
    // signal and its bookkeeping every idle stream would hold.
    const stop = signal ? [signal, live.feed.closed] : [live.feed.closed];
    const notices: ChangeNotice[] = [];
    let mustRead = true; // the replay, a feed that reconnected, a gap, or the session's check
    let wakeUp = () => {};
    const unsubscribe = live.feed.subscribe(ctx.userId, (notice) => {
      if (notice) notices.push(notice);
      else mustRead = true;
      wakeUp();
    });
    const read = (last: string) =>
      asCaller(() => ctx.db.as(caller, (db, owner) => changesSince(db, owner, last), { readOnly: true }));
    try {
      let last = input.lastEventId ?? ctx.lastId;
      let readAt = 0;
      while (!stopped(stop)) {
        if (mustRead || Date.now() - readAt >= live.sessionCheckMs) {
          mustRead = false;
          readAt = Date.now();
          const events = await read(last);
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
        }
        for (let notice = notices.shift(); notice && !mustRead; notice = notices.shift()) {
          if (BigInt(notice.id) <= BigInt(last)) continue; // the last read had it
          if (notice.prev !== last || !notice.change) {
            mustRead = true;
            break;
          }
          last = notice.id;
          yield tracked(notice.id, notice.change);
        }
        if (!mustRead && notices.length === 0) {
          const untilCheck = Math.max(0, readAt + live.sessionCheckMs - Date.now());
          await nextWake(stop, untilCheck, (resolve) => {
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

/** Whether any of `signals` has aborted. */
const stopped = (signals: AbortSignal[]) => signals.some((signal) => signal.aborted);

/** Waits for a wake-up, `timeoutMs`, or any of `stop`, whichever comes first. */
function nextWake(stop: AbortSignal[], timeoutMs: number, onWake: (resolve: () => void) => void) {
  return new Promise<void>((resolve) => {
    // Aborted during the last read (the client left, the server closes): an abort event that
    // already fired never fires again, so the stream would linger until the timeout.
    if (stopped(stop)) return resolve();
    const done = () => {
      clearTimeout(timer);
      for (const signal of stop) signal.removeEventListener('abort', done);
      onWake(() => {});
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    for (const signal of stop) signal.addEventListener('abort', done, { once: true });
    onWake(done);
  });
}
