/**
 * Between node:http and the fetch API, for the two handlers that speak fetch: tRPC's adapter
 * (trpc-handler.ts) and Better Auth (app.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The Node request's headers as fetch `Headers`; repeated headers stay repeated. */
export function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (value) for (const item of value) headers.append(name, item);
  }
  return headers;
}

/**
 * Sends a fetch `Response` as the Node response: the body whole, with its own length (a
 * streamed answer's chunked framing must not be announced as well), each cookie a header of
 * its own, and `headers` over the response's own.
 */
export async function sendFetchResponse(
  res: ServerResponse,
  response: Response,
  headers: Record<string, string> = {},
): Promise<void> {
  const payload = Buffer.from(await response.arrayBuffer());
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie' && name !== 'content-length' && name !== 'transfer-encoding') {
      res.setHeader(name, value);
    }
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.writeHead(response.status, { 'content-length': payload.length }).end(payload);
}
