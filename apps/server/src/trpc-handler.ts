import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyRouter, inferRouterContext } from '@trpc/server';
import { TRPCError } from '@trpc/server';
import { type FetchHandlerRequestOptions, fetchRequestHandler } from '@trpc/server/adapters/fetch';

type Options<TRouter extends AnyRouter> = {
  router: TRouter;
  /** Where tRPC is mounted, e.g. `/api/trpc`. */
  endpoint: string;
  /** Bodies over this many bytes are refused with 413 before they are buffered. */
  maxBodySize: number;
  createContext: (headers: Headers) => inferRouterContext<TRouter>;
  onError?: FetchHandlerRequestOptions<TRouter>['onError'];
};

function readBody(req: IncomingMessage, maxBodySize: number): Promise<Buffer | 'too large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodySize) {
        chunks.push(chunk);
        return;
      }
      // Stop reading, as tRPC's own adapter does: the rest is never buffered.
      req.off('data', onData);
      req.off('end', onEnd);
      resolve('too large');
    };
    const onEnd = () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

/**
 * tRPC over node:http, each answer sent in one write with a content-length. tRPC's standalone
 * adapter streams every answer through a WritableStream as chunked transfer encoding (two
 * socket writes and a chain of promise hops per call), which the benchmark's profile showed
 * as a large share of a request. Our API streams nothing (plain JSON, no subscriptions), so
 * tRPC's fetch handler makes the Response and its body goes out whole.
 */
export function createTrpcHandler<TRouter extends AnyRouter>(options: Options<TRouter>) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
      else if (value) for (const item of value) headers.append(name, item);
    }
    const method = req.method ?? 'GET';
    let body: Buffer | ReadableStream | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      const read = await readBody(req, options.maxBodySize);
      // A body that errors the way tRPC's adapter does, so the 413 has tRPC's error shape.
      body =
        read === 'too large'
          ? new ReadableStream({
              start: (controller) => controller.error(new TRPCError({ code: 'PAYLOAD_TOO_LARGE' })),
            })
          : read;
    }
    // Only the path and query matter to tRPC; the Host header is the client's to choose.
    const request = new Request(new URL(req.url ?? '/', 'http://localhost'), {
      method,
      headers,
      // Buffer is a valid body at run time; under the DOM typings (apps/web type-checks this too) it is not.
      body: body as RequestInit['body'],
      ...(body instanceof ReadableStream && { duplex: 'half' }),
    });
    const response = await fetchRequestHandler({
      endpoint: options.endpoint,
      req: request,
      router: options.router,
      createContext: () => options.createContext(headers),
      onError: options.onError,
    });
    const payload = Buffer.from(await response.arrayBuffer());
    res.statusCode = response.status;
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') res.setHeader(name, value);
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) res.setHeader('set-cookie', cookies);
    res.setHeader('content-length', payload.length);
    res.end(payload);
  };
}
