import type { IncomingMessage } from 'node:http';

/** A request body read whole, or why it was not: over the limit, or the client went away. */
export type Body = Buffer | 'too large' | 'aborted';

const ignore = () => {};

/**
 * Buffers a request body up to `maxBodySize` bytes. A body that stops half-way (the socket
 * closes before 'end', the request emits 'aborted' or 'error') resolves to 'aborted' instead of
 * rejecting: the caller drops the request quietly, and nothing of it reaches the database.
 * Never rejects, and never waits for events that have already happened.
 *
 * @example
 * const body = await readBody(req, 1_000_000);
 * if (body === 'aborted') return; // the client is gone: nobody to answer
 */
export function readBody(req: IncomingMessage, maxBodySize: number): Promise<Body> {
  // An 'error' after we have settled (a reset while the 413 goes out) must not become an
  // uncaught exception: Node throws on an 'error' event nobody listens to.
  req.on('error', ignore);
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  if (req.destroyed) return Promise.resolve('aborted');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (result: Body) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('error', onAborted);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodySize) chunks.push(chunk);
      // Stop buffering, as tRPC's own adapter does: the rest is never kept.
      else settle('too large');
    };
    const onEnd = () => settle(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    const onAborted = () => settle('aborted');
    // 'close' also follows a normal 'end'; only a close before the whole body arrived is an abort.
    const onClose = () => {
      if (!req.complete) settle('aborted');
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('error', onAborted);
    req.on('close', onClose);
  });
}
