/**
 * What a tRPC request over HTTP asks for, read the way tRPC's fetch adapter reads it: the calls
 * a path names (`/a,b?batch=1`), each call's input (keyed by index in a batch, parsed only when
 * a procedure reads it), and the refusals of the whole request, with tRPC's errors. The
 * handler (trpc-handler.ts) runs the calls.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { type ProcedureType, TRPCError } from '@trpc/server';

/** One call of a request: the procedure's path, its type, and its input. */
export type Call = {
  path: string;
  /** undefined: no procedure has this path. */
  type: ProcedureType | undefined;
  /** The raw input, parsed on first use: a procedure without input never parses it. */
  input(): Promise<unknown>;
  /** The input if it has been parsed. */
  parsed(): unknown;
};

export type RequestRules = {
  /** Where tRPC is mounted, e.g. `/api/trpc`. */
  endpoint: string;
  /** The type of the procedure at each path. */
  typeOf(path: string): ProcedureType | undefined;
  maxBatchSize: number;
  /** The router's input transformer (none here: the identity). */
  deserialize(value: unknown): unknown;
};

/** A Content-Type header's media type, lower-cased, without parameters: 'application/json'. */
export const mediaType = (value: string | undefined) => value?.split(';', 1)[0]?.trim().toLowerCase();

/** Whether the client asks for tRPC's streamed (jsonl) batch answers, by tRPC's own rule. */
export function wantsJsonLines(headers: IncomingHttpHeaders): boolean {
  const trpcAccept = headers['trpc-accept'];
  if (trpcAccept !== undefined) return trpcAccept === 'application/jsonl';
  return headers.accept?.split(',').some((type) => type.trim() === 'application/jsonl') ?? false;
}

/**
 * The content types tRPC's fetch adapter refuses, with its errors: a form or binary body by any
 * method but POST; anything but JSON by a method other than GET. tRPC would take a form or a
 * binary POST as a mutation's input; this server takes JSON only (no CSRF by plain HTML forms).
 */
export function refusedContentType(method: string, header: string | undefined): TRPCError | null {
  const type = mediaType(header);
  if (type === 'application/json') return null;
  if ((type === 'multipart/form-data' || type === 'application/octet-stream') && method !== 'POST') {
    return new TRPCError({
      code: 'METHOD_NOT_SUPPORTED',
      message: `Only POST requests are supported for ${type} requests`,
    });
  }
  if (method === 'GET') return null;
  const message = header ? `Unsupported content-type "${header}` : 'Missing content-type header';
  return new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message });
}

/** The JSON text of a body as fetch's `json()` reads it: UTF-8, a leading byte order mark dropped. */
const bodyText = (body: Buffer) => {
  const text = body.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
};

type Inputs = { byIndex: Record<number, unknown>; keys: number };

/** Parses once, on first use; a failure is every reading call's BAD_REQUEST, as in tRPC. */
function lazyInputs(parse: () => Inputs): { read(): Inputs; value(): Inputs | undefined } {
  let outcome: { ok: true; value: Inputs } | { ok: false; error: TRPCError } | undefined;
  return {
    read() {
      if (!outcome) {
        try {
          outcome = { ok: true, value: parse() };
        } catch (cause) {
          const error =
            cause instanceof TRPCError
              ? cause
              : new TRPCError({
                  code: 'BAD_REQUEST',
                  message: cause instanceof Error ? cause.message : 'Invalid input',
                  cause,
                });
          outcome = { ok: false, error };
        }
      }
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    },
    value: () => (outcome?.ok ? outcome.value : undefined),
  };
}

/**
 * The calls a request names, or the error that refuses it whole: a path that does not decode, a
 * batch of more calls (or more input keys) than a batch holds, procedures of several kinds.
 * `body` is the read body of a POST, undefined otherwise.
 */
export function readCalls(
  req: IncomingMessage,
  body: Buffer | undefined,
  rules: RequestRules,
): { calls: Call[]; batch: boolean } | TRPCError {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const params = new URLSearchParams(query === -1 ? '' : url.slice(query + 1));
  const raw = (query === -1 ? url : url.slice(0, query))
    .slice(rules.endpoint.length)
    .replace(/^\/+|\/+$/g, '');
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch (cause) {
    return new TRPCError({ code: 'BAD_REQUEST', message: `Invalid URL-encoding in path "${raw}"`, cause });
  }
  const batch = params.get('batch') === '1';
  const paths = batch ? path.split(',') : [path];
  const tooMany = () => new TRPCError({ code: 'BAD_REQUEST', message: 'Batch call exceeds maximum size' });
  if (batch && paths.length > rules.maxBatchSize) return tooMany();
  const inputs = lazyInputs(() => {
    // No body is no input, as a GET without `input` is: `todo.clearCompleted`, whose input is
    // optional, may be POSTed bare. (tRPC's fetch adapter refuses an empty body as bad JSON.)
    const text =
      (req.method === 'GET' ? params.get('input') : bodyText(body ?? Buffer.alloc(0))) || undefined;
    const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
    if (parsed === undefined) return { byIndex: {}, keys: 0 };
    if (!batch) return { byIndex: { 0: rules.deserialize(parsed) }, keys: 1 };
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: '"input" needs to be an object when doing a batch call',
      });
    }
    const byIndex: Record<number, unknown> = {};
    for (const index of paths.keys()) {
      const value = (parsed as Record<number, unknown>)[index];
      if (value !== undefined) byIndex[index] = rules.deserialize(value);
    }
    return { byIndex, keys: Object.keys(parsed).length };
  });
  // A batch's input with more keys than a batch holds calls is refused whole, before any call
  // runs: tRPC reads only its calls' keys, but would parse them all. (Input that does not parse
  // is each call's error, when a call reads it, as in tRPC.)
  if (batch) {
    try {
      if (inputs.read().keys > rules.maxBatchSize) return tooMany();
    } catch {}
  }
  const calls = paths.map((callPath, index): Call => {
    const type = rules.typeOf(callPath);
    return {
      path: callPath,
      type,
      input: async () => withLastEventId(req, params, type, inputs.read().byIndex[index]),
      parsed: () => inputs.value()?.byIndex[index],
    };
  });
  const types = new Set(calls.map((call) => call.type).filter(Boolean));
  if (types.size > 1) {
    return new TRPCError({
      code: 'BAD_REQUEST',
      message: `Cannot mix procedure types in call: ${[...types].join(', ')}`,
    });
  }
  return { calls, batch };
}

/**
 * A subscription's input, with the `Last-Event-ID` header (or `lastEventId` query parameter)
 * that EventSource sends on a reconnect merged in, by tRPC's rule.
 */
function withLastEventId(
  req: IncomingMessage,
  params: URLSearchParams,
  type: ProcedureType | undefined,
  input: unknown,
): unknown {
  if (type !== 'subscription') return input;
  const header = req.headers['last-event-id'];
  const lastEventId =
    (typeof header === 'string' ? header : undefined) ??
    params.get('lastEventId') ??
    params.get('Last-Event-Id');
  if (!lastEventId) return input;
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) return { ...input, lastEventId };
  return input ?? { lastEventId };
}
