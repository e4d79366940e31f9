import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Auth, authRoutes, CLIENT_IP_HEADER } from '@todo/api';
import type { clientAddress } from './client-address.ts';
import { hasBody, methodNotAllowed, notFound, refuseMediaType, refuseTooLarge } from './edge.ts';
import { sendFetchResponse, toHeaders } from './fetch-bridge.ts';
import { readBody } from './read-body.ts';
import { mediaType } from './trpc-request.ts';

/**
 * Better Auth through its fetch handler, with the body read here under the same rules as
 * /api/trpc (JSON only, `maxBodySize`) and a Request built from a method already checked:
 * better-auth/node's toNodeHandler streams the Node request into `new Request` itself, which
 * rejects on TRACE and on a body that stops half-way. A path or method Better Auth does not
 * serve is answered here, before its rate limiter would store a row for it.
 *
 * @example const auth = createAuthBridge({ auth, publicUrl, clients, maxBodySize: 1_000_000 });
 */
export function createAuthBridge(options: {
  auth: Auth;
  publicUrl: string;
  clients: ReturnType<typeof clientAddress>;
  maxBodySize: number;
}) {
  const { auth, clients } = options;
  const served = authRoutes(auth);
  return async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', options.publicUrl);
    const route = served(url.pathname, req.method ?? 'GET');
    if (route === 'unknown') return notFound(res);
    if (route !== 'served') return methodNotAllowed(res, route.allow);
    // The rate limiters' client address: the socket's peer, or the address a trusted proxy
    // (TRUSTED_PROXIES) received the request from; never a header the client chose.
    req.headers[CLIENT_IP_HEADER] = clients.of(req);
    let body: Buffer | undefined;
    if (req.method === 'POST' && hasBody(req)) {
      if (mediaType(req.headers['content-type']) !== 'application/json') return refuseMediaType(res);
      const read = await readBody(req, options.maxBodySize);
      if (read === 'aborted') return void res.destroy();
      if (read === 'too large') return refuseTooLarge(res);
      body = read;
    }
    const response = await auth.handler(
      new Request(url, {
        method: req.method,
        headers: toHeaders(req),
        // Buffer is a valid body at run time; under the DOM typings it is not.
        body: body?.length ? (body as unknown as RequestInit['body']) : undefined,
      }),
    );
    await sendFetchResponse(res, response, { 'cache-control': 'no-store' });
  };
}
