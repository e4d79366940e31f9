import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyRouter, inferRouterContext } from '@trpc/server';
import { TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import {
  type AnyProcedure,
  defaultTransformer,
  getErrorShape,
  getHTTPStatusCode,
  getProcedureAtPath,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isPromise,
  type TRPCResponse,
  transformTRPCResponse,
} from '@trpc/server/unstable-core-do-not-import';
import { sendFetchResponse, toHeaders } from './fetch-bridge.ts';
import { type Body, readBody } from './read-body.ts';

type Options<TRouter extends AnyRouter> = {
  router: TRouter;
  /** Where tRPC is mounted, e.g. `/api/trpc`. */
  endpoint: string;
  /** Bodies over this many bytes are refused with 413 before they are buffered. */
  maxBodySize: number;
  /**
   * A larger limit for some requests (app.ts: a signed-in `account.import`), decided from the
   * URL and headers before any of the body is read; `maxBodySize` when unset or undefined.
   */
  maxBodySizeFor?: (req: IncomingMessage) => Promise<number | undefined>;
  createContext: (headers: Headers) => inferRouterContext<TRouter> | Promise<inferRouterContext<TRouter>>;
  /** Called for every error a procedure call ends in; `req` is the Node request it came in. */
  onError?: (opts: { error: TRPCError; path: string | undefined; req: IncomingMessage }) => void;
  /**
   * The most calls one batch may hold (`/a,b,c?batch=1`), and the most keys its input object
   * may have; a larger batch is refused with 400 before any call runs. Unlimited when unset.
   */
  maxBatchSize?: number;
  /**
   * Answer single JSON calls directly (the default). `false` sends every request through tRPC's
   * fetch adapter: the reference the direct path is tested against.
   */
  direct?: boolean;
};

/** Methods the fetch standard forbids: `new Request` throws a TypeError on them. */
const FORBIDDEN_FETCH_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** A Content-Type header's media type, lower-cased, without parameters: 'application/json'. */
export const mediaType = (value: string | undefined) => value?.split(';', 1)[0]?.trim().toLowerCase();

/** What tRPC refuses to send as plain JSON: an async iterable, or an object holding promises or iterables. */
const isDataStream = (value: unknown) =>
  isObject(value) &&
  (isAsyncIterable(value) ||
    Object.values(value).some((field) => isPromise(field) || isAsyncIterable(field)));

/** One call, as tRPC reads it: a procedure path and its raw input, or null to leave it to tRPC. */
type DirectCall = { path: string; procedure: AnyProcedure; input: unknown };

/** The procedure a URL path names under `endpoint`, and its path; null when none does. */
async function procedureAt(
  router: AnyRouter,
  pathname: string,
  endpoint: string,
): Promise<{ path: string; procedure: AnyProcedure } | null> {
  let path: string;
  try {
    path = decodeURIComponent(pathname.slice(endpoint.length).replace(/^\/+|\/+$/g, ''));
  } catch {
    return null;
  }
  const procedure = await getProcedureAtPath(router, path);
  return procedure ? { path, procedure } : null;
}

/** A request's URL as the handler reads it: the procedure its path names, and its query. */
type Target = { found: { path: string; procedure: AnyProcedure } | null; params: URLSearchParams | null };

/**
 * The calls the direct path answers: one query by GET or one mutation by POST, JSON in and
 * out, to a procedure that exists. Everything else (batches, streaming, method mismatches,
 * unknown paths, unparseable input, other content types, HEAD) is left to tRPC's own handler,
 * which also writes their errors.
 */
function directCall(
  router: AnyRouter,
  req: IncomingMessage,
  { found, params }: Target,
  body: Buffer | undefined,
): DirectCall | null {
  if (!found || params?.has('batch')) return null;
  if (req.headers['trpc-accept'] !== undefined || req.headers.accept?.includes('application/jsonl'))
    return null;
  const type = mediaType(req.headers['content-type']);
  if (type !== undefined && type !== 'application/json') return null;

  const { path, procedure } = found;
  const expected =
    procedure._def.type === 'query' ? 'GET' : procedure._def.type === 'mutation' ? 'POST' : null;
  if (req.method !== expected) return null;

  let input: unknown;
  try {
    const text = req.method === 'GET' ? params?.get('input') : body?.toString('utf8');
    if (req.method === 'POST' || text) input = JSON.parse(text ?? '');
  } catch {
    return null;
  }
  const { deserialize } = router._def._config.transformer.input;
  return { path, procedure, input: input === undefined ? undefined : deserialize(input) };
}

/**
 * tRPC over node:http. A single query or mutation, which is every call the web app's
 * non-batched requests, the CLI and other programs make, is run straight from the Node request:
 * the procedure (with its middleware and input validation) through tRPC's own caller, errors
 * shaped by tRPC's own formatter and status mapping, the answer sent in one write. The result
 * is the response tRPC's fetch adapter would give, byte for byte (trpc-handler.test.ts compares
 * them), minus building a fetch Request, Headers, AbortSignals and a Response per call, which
 * the benchmark's profile showed as a large share of a request. Every other request goes
 * through tRPC's fetch adapter unchanged.
 */
export function createTrpcHandler<TRouter extends AnyRouter>(options: Options<TRouter>) {
  const { router, endpoint } = options;
  const config = router._def._config;
  // Without a data transformer (tRPC's default, and this app's) serializing a response changes
  // nothing, and tRPC's copy of it is skipped.
  const serialize =
    config.transformer === defaultTransformer
      ? (response: TRPCResponse) => response
      : (response: TRPCResponse) => transformTRPCResponse(config, response);

  /** Sends a tRPC response as JSON in one write, with tRPC's status for it. */
  function sendResponse(res: ServerResponse, response: TRPCResponse, headers: Record<string, string> = {}) {
    const payload = JSON.stringify(serialize(response));
    res.writeHead(getHTTPStatusCode(response), {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    });
    res.end(payload);
  }

  /** An error tRPC itself would answer for the whole request, in tRPC's shape and status. */
  function sendError(res: ServerResponse, error: TRPCError, headers: Record<string, string> = {}) {
    const shape = getErrorShape({
      config,
      ctx: undefined,
      error,
      input: undefined,
      path: undefined,
      type: 'unknown',
    });
    sendResponse(res, { error: shape }, headers);
  }

  /**
   * A batch whose input object has more keys than a batch may hold calls: tRPC reads only the
   * keys of its calls, but parses the whole object first. (The number of calls itself is
   * tRPC's own `maxBatchSize` check.) Unparseable input is left to tRPC's own error.
   */
  function oversizedBatchInput(req: IncomingMessage, params: URLSearchParams, body: Body | undefined) {
    if (options.maxBatchSize === undefined || params.get('batch') !== '1') return false;
    try {
      const text =
        req.method === 'GET' ? params.get('input') : Buffer.isBuffer(body) ? body.toString('utf8') : null;
      const input: unknown = text ? JSON.parse(text) : undefined;
      return isObject(input) && Object.keys(input).length > options.maxBatchSize;
    } catch {
      return false;
    }
  }

  /** The method a procedure's path takes: GET for queries and subscriptions, POST for mutations. */
  async function allowed(req: IncomingMessage): Promise<string> {
    const pathname = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const type = (await procedureAt(router, pathname, endpoint))?.procedure._def.type;
    return type === 'mutation' ? 'POST' : type ? 'GET' : 'GET, POST';
  }

  async function viaFetchAdapter(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer | { overLimit: number } | undefined,
    ctx?: inferRouterContext<TRouter>,
  ) {
    const method = req.method ?? 'GET';
    const headers = toHeaders(req);
    // A body that errors the way tRPC's adapter does, so the 413 has tRPC's error shape.
    const requestBody =
      body && 'overLimit' in body
        ? new ReadableStream({
            start: (controller) =>
              controller.error(
                new TRPCError({
                  code: 'PAYLOAD_TOO_LARGE',
                  message: `Request body too large: the limit is ${body.overLimit.toLocaleString('en')} bytes`,
                }),
              ),
          })
        : body;
    // Methods fetch refuses to represent never reach tRPC: `new Request` would throw.
    if (FORBIDDEN_FETCH_METHODS.has(method.toUpperCase())) {
      return sendError(res, new TRPCError({ code: 'METHOD_NOT_SUPPORTED' }), { allow: 'GET, POST' });
    }
    // A client that goes away aborts the request: tRPC then ends its subscription, if any.
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    // Only the path and query matter to tRPC; the Host header is the client's to choose.
    const request = new Request(new URL(req.url ?? '/', 'http://localhost'), {
      method,
      headers,
      signal: gone.signal,
      // Buffer is a valid body at run time; under the DOM typings (apps/web type-checks this too) it is not.
      body: requestBody as RequestInit['body'],
      ...(requestBody instanceof ReadableStream && { duplex: 'half' }),
    });
    const response = await fetchRequestHandler({
      endpoint,
      req: request,
      router,
      createContext: () => ctx ?? options.createContext(headers),
      onError: options.onError && (({ error, path }) => options.onError?.({ error, path, req })),
      maxBatchSize: options.maxBatchSize,
    });
    // tRPC's own 405 (a POST to a query, a GET to a mutation) names no allowed method; HTTP
    // says a 405 must.
    const missingAllow = response.status === 405 && !response.headers.has('allow');
    await sendFetchResponse(res, response, missingAllow ? { allow: await allowed(req) } : {});
  }

  /** The context a subscription's check was made with, handed on to the fetch adapter. */
  const streamContext = new WeakMap<IncomingMessage, Promise<inferRouterContext<TRouter>>>();

  /**
   * Subscriptions answer over an event stream, and tRPC's adapter reports an error that comes
   * before the first event (no session, bad input) inside the stream, with status 200. Here the
   * procedure is called first, with tRPC's own input rules (the `Last-Event-ID` header merged
   * into the input): when its middleware or input check throws, the error is answered with its
   * HTTP status (401, 400) and no stream opens. Otherwise the generator it returned is dropped
   * unstarted, and the adapter calls the procedure again with the same context.
   * `undefined`: not a subscription; `null`: go on; else the error response to send.
   */
  async function refusedStream(
    req: IncomingMessage,
    { found, params }: Target,
  ): Promise<TRPCResponse | null | undefined> {
    if (found?.procedure._def.type !== 'subscription') return undefined;
    if (params?.has('batch')) return null; // tRPC refuses batched subscriptions itself
    let input: unknown;
    try {
      const text = params?.get('input');
      input = text ? config.transformer.input.deserialize(JSON.parse(text)) : undefined;
    } catch {
      return null; // unparseable input: tRPC's own 400
    }
    const lastEventId =
      req.headers['last-event-id'] ?? params?.get('lastEventId') ?? params?.get('Last-Event-Id');
    if (typeof lastEventId === 'string' && lastEventId) {
      input = isObject(input) ? { ...input, lastEventId } : (input ?? { lastEventId });
    }
    const ctx = Promise.resolve(options.createContext(toHeaders(req)));
    streamContext.set(req, ctx);
    const { path, procedure } = found;
    try {
      await procedure({
        path,
        type: 'subscription',
        ctx: await ctx,
        getRawInput: async () => input,
        signal: undefined,
        batchIndex: 0,
      });
      return null;
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      options.onError?.({ error, path, req });
      return { error: getErrorShape({ config, ctx: await ctx, error, input, path, type: 'subscription' }) };
    }
  }

  return async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const hasBody = method !== 'GET' && method !== 'HEAD';
    const limit = (hasBody && (await options.maxBodySizeFor?.(req))) || options.maxBodySize;
    const read = hasBody ? await readBody(req, limit) : undefined;
    // The client went away before its body arrived: nobody to answer, and nothing may run.
    if (read === 'aborted') return void res.destroy();
    const body = read === 'too large' ? { overLimit: limit } : read;
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const params = query === -1 ? null : new URLSearchParams(url.slice(query + 1));
    if (params && oversizedBatchInput(req, params, read)) {
      return sendError(
        res,
        new TRPCError({ code: 'BAD_REQUEST', message: 'Batch call exceeds maximum size' }),
      );
    }
    const target: Target = {
      found: await procedureAt(router, query === -1 ? url : url.slice(0, query), endpoint),
      params,
    };
    if (method === 'GET') {
      const refused = await refusedStream(req, target);
      if (refused) return sendResponse(res, refused);
      if (refused === null)
        return viaFetchAdapter(req, res, body, (await streamContext.get(req)) ?? undefined);
    } else if (method !== 'HEAD' && target.found?.procedure._def.type === 'subscription') {
      // tRPC answers any other method on a subscription with an event stream holding a 405
      // error, status 200: say it in the status, as for queries and mutations.
      return sendError(res, new TRPCError({ code: 'METHOD_NOT_SUPPORTED' }), { allow: 'GET' });
    }
    const call =
      read === 'too large' || options.direct === false ? null : directCall(router, req, target, read);
    if (!call) return viaFetchAdapter(req, res, body);

    const { path, procedure } = call;
    const type = procedure._def.type;
    let ctx: inferRouterContext<TRouter> | undefined;
    let inputRead = false;
    let response: TRPCResponse;
    try {
      ctx = await options.createContext(toHeaders(req));
      const data: unknown = await procedure({
        path,
        type,
        ctx,
        getRawInput: async () => {
          inputRead = true;
          return call.input;
        },
        signal: undefined,
        batchIndex: 0,
      });
      if (isDataStream(data)) {
        throw new TRPCError({
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: 'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink',
        });
      }
      response = { result: { data } };
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      options.onError?.({ error, path, req });
      const input = inputRead ? call.input : undefined;
      response = { error: getErrorShape({ config, ctx, error, input, path, type }) };
    }
    sendResponse(res, response, { vary: 'trpc-accept, accept' });
  };
}
