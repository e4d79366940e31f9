/**
 * Between node:http and the fetch API, for what speaks fetch: Better Auth (auth-bridge.ts), and
 * tRPC's fetch adapter, which trpc-handler.test.ts serves as the oracle of trpc-handler.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReadableStream, ReadableStreamDefaultReader } from 'node:stream/web';
import { drained } from './drained.ts';

/** The Node request's headers as fetch `Headers`; repeated headers stay repeated. */
export function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (value) for (const item of value) headers.append(name, item);
  }
  return headers;
}

/** Answers that stream: tRPC's event streams (subscriptions) and its jsonl batches. */
const STREAMED = /^(text\/event-stream|application\/jsonl)\b/i;

/**
 * Sends a fetch `Response` as the Node response, with each cookie a header of its own and
 * `headers` over the response's own. A body is sent whole, with its own length (a streamed
 * answer's chunked framing must not be announced as well), except a streaming answer (an event
 * stream, a jsonl batch): that is piped as it comes, and cancelled when the client goes away.
 */
export async function sendFetchResponse(
  res: ServerResponse,
  response: Response,
  headers: Record<string, string> = {},
): Promise<void> {
  const streamed = response.body !== null && STREAMED.test(response.headers.get('content-type') ?? '');
  const payload = streamed ? null : Buffer.from(await response.arrayBuffer());
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie' && name !== 'content-length' && name !== 'transfer-encoding') {
      res.setHeader(name, value);
    }
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (payload) return void res.writeHead(response.status, { 'content-length': payload.length }).end(payload);
  res.writeHead(response.status);
  res.flushHeaders();
  await pump(res, (response.body as ReadableStream<Uint8Array>).getReader());
}

/**
 * Writes a streamed body to `res` as it comes, waiting for `res` to drain. A client that goes
 * away closes `res`: the body is cancelled, which ends the subscription behind it, and nothing
 * is left to answer. A body that fails destroys `res`. A plain reader loop rather than
 * `pipeline(Readable.fromWeb(…))`: an idle event stream holds only the reader, not a Node
 * Readable with its state and pipeline's listeners (the realtime benchmark's memory per stream).
 */
async function pump(res: ServerResponse, reader: ReadableStreamDefaultReader<Uint8Array>) {
  const cancel = () => void reader.cancel().catch(() => {});
  res.once('close', cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      if (!res.write(value)) await drained(res);
    }
    if (!res.destroyed) res.end();
  } catch {
    res.destroy();
  } finally {
    res.off('close', cancel);
  }
}
