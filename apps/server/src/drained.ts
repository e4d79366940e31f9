import type { ServerResponse } from 'node:http';

/**
 * Resolves when `res` can take more, or has closed: what a writer of a streamed answer awaits
 * after `res.write` said its buffer is full (the event streams, and fetch-bridge.ts's piped
 * bodies). Resolves at once when nothing is waiting to drain or `res` is already gone.
 */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!res.writableNeedDrain || res.destroyed) return resolve();
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
