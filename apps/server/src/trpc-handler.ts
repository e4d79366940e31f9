/**
 * tRPC over node:http, on tRPC's public API: one path for every call, single or batched, the
 * way `@todo/client`, the web app and the CLI send them (docs/decisions/0018). It reads the
 * request as tRPC's fetch adapter does (`/a,b?batch=1`, inputs keyed by index, the same
 * errors), runs each procedure through `callTRPCProcedure` with tRPC's middleware and input
 * validation, and answers with tRPC's error shape and status, in one write: no fetch Request,
 * Headers, AbortSignals or Response per call. A subscription goes to the event streams
 * (event-streams.ts). `trpc-handler.test.ts` holds it to the fetch adapter's answers, byte for
 * byte, so a tRPC upgrade that changes them fails there.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  type AnyRouter,
  callTRPCProcedure,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  type inferRouterContext,
  type ProcedureType,
  TRPCError,
  transformTRPCResponse,
} from '@trpc/server';
import { getHTTPStatusCode } from '@trpc/server/http';
import type { TRPCResponse } from '@trpc/server/rpc';
import type { EventStreams } from './event-streams.ts';
import { readBody } from './read-body.ts';
import { type Call, readCalls, refusedContentType, wantsJsonLines } from './trpc-request.ts';

/** The answer to a request's call: what the procedure returned, or the error it ended in. */
type Outcome = { data: unknown } | { error: TRPCError };

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
  /** The context of a request; a stream request's also carries the server's slot for it. */
  createContext: (
    headers: IncomingHttpHeaders,
    stream?: ReturnType<EventStreams['slot']>,
  ) => inferRouterContext<TRouter>;
  /** Called for every error a procedure call ends in; `req` is the Node request it came in. */
  onError?: (opts: { error: TRPCError; path: string | undefined; req: IncomingMessage }) => void;
  /** The most calls one batch may hold (`/a,b,c?batch=1`); a larger batch is refused with 400. */
  maxBatchSize: number;
  /** Where subscriptions are served (event-streams.ts); without it they are refused. */
  streams?: EventStreams;
  /** `Retry-After` for answers of these statuses (503: the database is away), in seconds. */
  retryAfterSeconds?: Partial<Record<number, number>>;
};

/** How long a client refused for having too many streams open is asked to wait. */
const STREAM_RETRY_AFTER_SECONDS = 30;

/** Methods fetch cannot represent, which tRPC's adapters never see either. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

const ALLOW: Record<ProcedureType, string> = { query: 'GET', mutation: 'POST', subscription: 'GET' };

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/** What tRPC refuses to send as plain JSON: an async iterable, or an object holding promises or iterables. */
const isDataStream = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  (Symbol.asyncIterator in value ||
    Object.values(value).some(
      (field) =>
        field instanceof Promise ||
        (typeof field === 'object' && field !== null && Symbol.asyncIterator in field),
    ));

/** How the handler answers: a response in one write, and tRPC's error shape through the app's formatter. */
function createResponder<TRouter extends AnyRouter>(
  router: TRouter,
  retryAfterSeconds: Options<TRouter>['retryAfterSeconds'],
) {
  const config = router._def._config;
  return {
    send(
      res: ServerResponse,
      json: TRPCResponse | TRPCResponse[],
      type: ProcedureType | undefined,
      headers: Record<string, string> = {},
    ) {
      const status = getHTTPStatusCode(json);
      const payload = JSON.stringify(transformTRPCResponse(config, json));
      const retryAfter = retryAfterSeconds?.[status];
      res.writeHead(status, {
        ...(retryAfter !== undefined && { 'retry-after': String(retryAfter) }),
        ...headers,
        vary: 'trpc-accept, accept',
        // HTTP says a 405 names what the path does take; tRPC's own does not.
        ...(status === 405 && { allow: type ? ALLOW[type] : 'GET, POST' }),
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      });
      res.end(payload);
    },
    /** The error shape of one call or of the whole request. */
    errorOf(error: TRPCError, ctx: unknown, call?: Call): TRPCResponse {
      const shape = getTRPCErrorShape({
        config,
        ctx: ctx as inferRouterContext<TRouter> | undefined,
        error,
        input: call?.parsed(),
        path: call?.path,
        type: call?.type ?? 'unknown',
      });
      return { error: shape };
    },
    /** An error shape as an event stream sends it. */
    serialize: (shape: unknown) => config.transformer.output.serialize(shape),
  };
}

type Responder = ReturnType<typeof createResponder>;

/** Where one call runs: in which request, at which place of its batch, with which context. */
type CallSite = { req: IncomingMessage; index: number; batch: boolean; ctx: unknown; signal?: AbortSignal };

/** Why a call must not run in this request, as tRPC's fetch adapter says it; undefined when it may. */
function refusalOf(call: Call, { req, batch }: CallSite): TRPCError | undefined {
  if (!call.type)
    return new TRPCError({ code: 'NOT_FOUND', message: `No procedure found on path "${call.path}"` });
  if (ALLOW[call.type] !== req.method) {
    return new TRPCError({
      code: 'METHOD_NOT_SUPPORTED',
      message: `Unsupported ${req.method}-request to ${call.type} procedure at path "${call.path}"`,
    });
  }
  if (call.type === 'subscription' && batch) {
    return new TRPCError({ code: 'BAD_REQUEST', message: 'Cannot batch subscription calls' });
  }
  return undefined;
}

/** Runs one call with tRPC's middleware and validation; a refusal or failure is its error, never the request's. */
async function runCall<TRouter extends AnyRouter>(
  options: Pick<Options<TRouter>, 'router' | 'onError'>,
  call: Call,
  site: CallSite,
): Promise<Outcome> {
  try {
    const refusal = refusalOf(call, site);
    if (refusal) throw refusal;
    const data: unknown = await callTRPCProcedure({
      router: options.router,
      path: call.path,
      type: call.type as ProcedureType,
      ctx: site.ctx,
      getRawInput: call.input,
      signal: site.signal,
      batchIndex: site.index,
    });
    if (call.type !== 'subscription' && isDataStream(data)) {
      throw new TRPCError({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink',
      });
    }
    return { data };
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    options.onError?.({ error, path: call.path, req: site.req });
    return { error };
  }
}

/**
 * A subscription: its procedure runs once, with the server's slot in its context. When it
 * refuses (no session, bad input, too many streams), the refusal is answered with its HTTP
 * status and no stream opens; otherwise its events are streamed (event-streams.ts).
 */
async function subscribe<TRouter extends AnyRouter>(
  options: Options<TRouter>,
  answers: Responder,
  { req, res, call }: { req: IncomingMessage; res: ServerResponse; call: Call },
) {
  const { streams } = options;
  const slot = streams?.slot();
  const ctx = options.createContext(req.headers, slot);
  const outcome = await runCall(options, call, { req, index: 0, batch: false, ctx, signal: slot?.signal });
  if ('error' in outcome || !slot || !streams || !isAsyncIterable(outcome.data)) {
    slot?.end('done');
    const error =
      'error' in outcome
        ? outcome.error
        : new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message: 'Subscriptions need the HTTP server' });
    const retry = error.code === 'TOO_MANY_REQUESTS' && { 'retry-after': String(STREAM_RETRY_AFTER_SECONDS) };
    return answers.send(res, answers.errorOf(error, ctx, call), call.type, retry || {});
  }
  const errorShape = (cause: unknown) => {
    const error = getTRPCErrorFromUnknown(cause);
    options.onError?.({ error, path: call.path, req });
    const { error: shape } = answers.errorOf(error, ctx, call) as { error: unknown };
    return answers.serialize(shape);
  };
  return streams.pump(slot, res, outcome.data, errorShape);
}

/**
 * The body of a request that has one, read under its limit. Past the limit the body is not kept:
 * `tooLarge` is the limit, and each call that reads its input gets 413 after its session was
 * checked (a stranger gets 401, as from tRPC, and never more than the limit is read).
 */
async function readTrpcBody<TRouter extends AnyRouter>(
  req: IncomingMessage,
  options: Options<TRouter>,
): Promise<{ body?: Buffer; tooLarge?: number } | 'aborted'> {
  if ((req.method ?? 'GET') === 'GET') return {};
  const limit = (await options.maxBodySizeFor?.(req)) || options.maxBodySize;
  const read = await readBody(req, limit);
  if (read === 'aborted') return 'aborted';
  return read === 'too large' ? { tooLarge: limit } : { body: read };
}

/** Makes every call's input fail with 413, so each answers it once its procedure reads the input. */
function refuseInputs(calls: Call[], limit: number) {
  const error = new TRPCError({
    code: 'PAYLOAD_TOO_LARGE',
    message: `Request body too large: the limit is ${limit.toLocaleString('en')} bytes`,
  });
  for (const call of calls) call.input = () => Promise.reject(error);
}

/**
 * The request handler. Answers every request itself; errors that concern the whole request
 * (an oversized batch, procedures of several kinds in one) are one error object, as in tRPC.
 */
export function createTrpcHandler<TRouter extends AnyRouter>(options: Options<TRouter>) {
  const { router, endpoint } = options;
  const config = router._def._config;
  const procedures = router._def.procedures as Record<string, { _def: { type: ProcedureType } } | undefined>;
  const rules = {
    endpoint,
    maxBatchSize: options.maxBatchSize,
    typeOf: (path: string) => (Object.hasOwn(procedures, path) ? procedures[path]?._def.type : undefined),
    deserialize: (value: unknown) => config.transformer.input.deserialize(value),
  };
  const answers = createResponder(router, options.retryAfterSeconds);
  /** A refusal of the whole request, before any call is known. */
  const refuse = (res: ServerResponse, error: TRPCError, type?: ProcedureType) =>
    answers.send(res, answers.errorOf(error, undefined), type);

  return async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    // tRPC's HEAD: an empty answer that runs nothing (the app's edge refuses HEAD before this).
    if (method === 'HEAD') return void res.writeHead(204).end();
    // Methods fetch cannot represent, which tRPC's adapters never see either.
    if (FORBIDDEN_METHODS.has(method)) return refuse(res, new TRPCError({ code: 'METHOD_NOT_SUPPORTED' }));
    const refused = refusedContentType(method, req.headers['content-type']);
    if (refused) return refuse(res, refused);
    const read = await readTrpcBody(req, options);
    // The client went away before its body arrived: nobody to answer, and nothing may run.
    if (read === 'aborted') return void res.destroy();
    const request = readCalls(req, read.body, rules);
    if (request instanceof TRPCError) {
      options.onError?.({ error: request, path: undefined, req });
      return refuse(res, request);
    }
    const { calls, batch } = request;
    const [first] = calls;
    if (read.tooLarge !== undefined) refuseInputs(calls, read.tooLarge);
    if (wantsJsonLines(req.headers)) {
      const error = new TRPCError({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Streamed (jsonl) answers are not served: use httpBatchLink or httpLink',
      });
      return refuse(res, error, first?.type);
    }
    if (!batch && first?.type === 'subscription' && method === 'GET') {
      return subscribe(options, answers, { req, res, call: first });
    }
    const ctx = options.createContext(req.headers);
    const outcomes = await Promise.all(
      calls.map((call, index) => runCall(options, call, { req, index, batch, ctx })),
    );
    const json = outcomes.map((outcome, index) =>
      'error' in outcome
        ? answers.errorOf(outcome.error, ctx, calls[index])
        : { result: { data: outcome.data } },
    );
    answers.send(res, batch ? json : (json[0] as TRPCResponse), first?.type);
  };
}
