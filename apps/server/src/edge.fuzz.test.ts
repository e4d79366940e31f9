// The HTTP edge under hostile bytes: the production server as its own process (src/start.ts), fed
// over raw sockets every method on every route, requests cut at every byte, broken chunked
// framing, bad percent-encoding, invalid UTF-8, NUL bytes, oversized headers and URLs, pipelines
// and responses abandoned half-way. After each batch the process must still be alive and
// answering, its stderr clean; no answer may be a 5xx or carry a stack trace or SQL; and the
// user's todos must number exactly the creates that were answered 200. FUZZ_SEED / FUZZ_RUNS_SCALE
// as in api.fuzz.test.ts.
//
// Over 400 lines, kept together: every fuzzer feeds the same server process and counts the same
// user's todos afterwards; split, each file would start a server of its own.
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { fuzzRuns, fuzzSeed } from '@todo/api/testing/hostile-values';
import { createTestDatabase, type TestDatabase } from '@todo/db/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ServerProcess,
  type Session,
  signUp,
  spawnServer,
  TEST_SECRET,
  testWebBuild,
} from './testing.ts';

const ROUTES = [
  '/api/trpc/todo.list',
  '/api/trpc/todo.create',
  '/api/trpc/todo.list,todo.counts?batch=1',
  '/api/trpc/todo.changes',
  '/api/auth/sign-in/email',
  '/api/auth/get-session',
  '/healthz',
  '/readyz',
  '/',
  '/some/client/route',
  '/metrics',
  '/api/no/such/endpoint',
] as const;
const CREATE = '/api/trpc/todo.create';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND'];
/** The methods each route serves ('nothing': an /api path that names no endpoint). */
const SERVED: Record<(typeof ROUTES)[number], string[] | 'nothing'> = {
  '/api/trpc/todo.list': ['GET', 'HEAD'],
  '/api/trpc/todo.create': ['POST'],
  '/api/trpc/todo.list,todo.counts?batch=1': ['GET', 'HEAD'],
  '/api/trpc/todo.changes': ['GET', 'HEAD'],
  '/api/auth/sign-in/email': ['POST'],
  '/api/auth/get-session': ['GET', 'HEAD'],
  '/healthz': ['GET', 'HEAD'],
  '/readyz': ['GET', 'HEAD'],
  '/': ['GET', 'HEAD'],
  '/some/client/route': ['GET', 'HEAD'],
  '/metrics': ['GET', 'HEAD'],
  '/api/no/such/endpoint': 'nothing',
};
type Route = (typeof ROUTES)[number];

/**
 * What a clean request (bearer, JSON body) must get. A method nothing here serves (PUT, DELETE,
 * PATCH, TRACE, PROPFIND), or POST outside /api: 405 with Allow. GET or POST on an API endpoint
 * of the other kind is tRPC's or Better Auth's to answer: 404 or 405. HEAD and OPTIONS: anything
 * short of a 5xx. An /api path that names no endpoint: 404, whatever the method.
 */
function expectation(method: string, route: Route): 'served' | '404' | '405' | '404/405' | 'any' {
  const served = SERVED[route];
  if (served === 'nothing') return '404';
  if (method === 'HEAD' || method === 'OPTIONS') return 'any';
  if (served.includes(method)) return 'served';
  if (route.startsWith('/api/') && (method === 'GET' || method === 'POST')) return '404/405';
  return '405';
}
const DRIVERS = process.env.TEST_DATABASE_URL ? (['pglite', 'pg'] as const) : (['pglite'] as const);
const PASSWORD = 'correct horse battery';
/** /metrics is on (its 401s and scrapes are fuzzed like any route); some requests carry this. */
const METRICS_TOKEN = 'fuzz-metrics-token-0123456789abcdef';

// ---------------------------------------------------------------- raw HTTP/1.1 over node:net

/**
 * `ok`: a complete, well-formed message the server must answer; `incomplete`: framing that
 * promises more bytes than are sent (the socket is half-closed after writing); `malformed`:
 * bytes the server may refuse with a 4xx or by closing the connection.
 */
type Kind = 'ok' | 'incomplete' | 'malformed';
type RawRequest = { method: string; bytes: Buffer; kind: Kind; mayCreate: boolean; label: string };
type Finish = 'wait' | 'end' | 'reset' | 'abort-response';
type HttpResponse = { statusLine: string; status: number; headers: Map<string, string>; body: Buffer };
/** An event stream (todo.changes) never ends: its head and what came of its body answer the request. */
const isEventStream = (response: HttpResponse) =>
  response.status === 200 && /^text\/event-stream\b/i.test(response.headers.get('content-type') ?? '');
type Outcome = {
  responses: HttpResponse[];
  invalid: string | null;
  truncated: boolean;
  /** The last response is an open event stream: nothing after it on this connection is answered. */
  streaming: boolean;
  timedOut: boolean;
  raw: Buffer;
};

const STATUS_LINE = /^HTTP\/1\.1 ([1-5]\d\d) [\t\x20-\x7e]*$/;

/** The responses in `raw`, in order; `methods[i]` is the request the i-th answers (HEAD has no body). */
function parseResponses(raw: Buffer, methods: string[], closed: boolean) {
  const responses: HttpResponse[] = [];
  let at = 0;
  while (at < raw.length) {
    const headEnd = raw.indexOf('\r\n\r\n', at);
    if (headEnd === -1) break;
    const [statusLine = '', ...lines] = raw.subarray(at, headEnd).toString('latin1').split('\r\n');
    const match = STATUS_LINE.exec(statusLine);
    if (!match)
      return { responses, invalid: JSON.stringify(statusLine.slice(0, 80)), rest: 0, streaming: false };
    const status = Number(match[1]);
    const headers = new Map<string, string>();
    for (const line of lines) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
    }
    const bodyStart = headEnd + 4;
    let body: Buffer;
    let next: number;
    const method = methods[responses.length] ?? 'GET';
    const stream = { statusLine, status, headers, body: raw.subarray(bodyStart) };
    if (method !== 'HEAD' && isEventStream(stream)) {
      responses.push(stream);
      return { responses, invalid: null, rest: 0, streaming: true };
    }
    if (method === 'HEAD' || status < 200 || status === 204 || status === 304) {
      [body, next] = [Buffer.alloc(0), bodyStart];
    } else if (headers.get('transfer-encoding')?.toLowerCase().includes('chunked')) {
      const parts: Buffer[] = [];
      let cursor = bodyStart;
      for (;;) {
        const lineEnd = raw.indexOf('\r\n', cursor);
        if (lineEnd === -1) return { responses, invalid: null, rest: raw.length - at, streaming: false };
        const size = Number.parseInt(raw.subarray(cursor, lineEnd).toString('latin1'), 16);
        if (Number.isNaN(size))
          return { responses, invalid: 'a bad chunk size in a response', rest: 0, streaming: false };
        if (size === 0) break;
        parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
        cursor = lineEnd + 2 + size + 2;
      }
      // The last chunk, any trailers, and the empty line that ends them.
      const end = raw.indexOf('\r\n\r\n', raw.indexOf('\r\n', cursor));
      if (end === -1) break;
      [body, next] = [Buffer.concat(parts), end + 4];
    } else if (headers.has('content-length')) {
      next = bodyStart + Number(headers.get('content-length'));
      if (next > raw.length) break;
      body = raw.subarray(bodyStart, next);
    } else if (closed) {
      [body, next] = [raw.subarray(bodyStart), raw.length];
    } else break;
    // An interim 1xx answers nothing yet.
    if (status >= 200) responses.push({ statusLine, status, headers, body });
    at = next;
  }
  return { responses, invalid: null, rest: raw.length - at, streaming: false };
}

/**
 * Opens a connection, sends `bytes`, and collects what comes back until `expected` responses
 * have arrived, the server closes, or `timeoutMs` passes. `end` half-closes after writing,
 * `reset` destroys the socket with an RST once written, `abort-response` drops it at the first
 * byte of the answer.
 */
function exchange(
  port: number,
  bytes: Buffer,
  {
    finish = 'wait',
    methods,
    expected = methods.length,
    timeoutMs = 30_000,
  }: {
    finish?: Finish;
    methods: string[];
    expected?: number;
    timeoutMs?: number;
  },
): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, timeoutMs);
    socket.on('error', () => {});
    socket.on('connect', () => {
      if (finish === 'end') socket.end(bytes);
      else if (finish === 'reset') socket.write(bytes, () => socket.resetAndDestroy());
      else socket.write(bytes);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (finish === 'abort-response') return void socket.destroy();
      const parsed = parseResponses(Buffer.concat(chunks), methods, false);
      if (parsed.invalid || parsed.streaming || parsed.responses.length >= expected) socket.destroy();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      if (finish === 'abort-response') {
        const prefix = raw.subarray(0, 9).toString('latin1');
        const invalid = 'HTTP/1.1 '.startsWith(prefix) ? null : JSON.stringify(prefix);
        return resolve({ responses: [], invalid, truncated: false, streaming: false, timedOut, raw });
      }
      const { responses, invalid, rest, streaming } = parseResponses(raw, methods, true);
      resolve({ responses, invalid, truncated: rest > 0, streaming, timedOut, raw });
    });
  });
}

// ---------------------------------------------------------------- generated requests

/** How a body is framed; all but the first four are broken on purpose. */
const FRAMINGS = [
  'none',
  'length',
  'chunked',
  'chunked-trailer',
  'chunk-bad-hex',
  'chunk-negative',
  'chunk-overflow',
  'chunk-larger-than-data',
  'chunk-missing-crlf',
  'chunk-no-last',
  'chunk-bad-trailer',
  'length-and-chunked',
  'duplicate-length',
  'conflicting-lengths',
  'short-length',
  'long-length',
  'bad-length',
] as const;
type Framing = (typeof FRAMINGS)[number];

function frame(payload: Buffer, framing: Framing): { headers: string[]; body: Buffer; kind: Kind } {
  const half = Math.ceil(payload.length / 2);
  const chunk = (data: Buffer) => Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, CRLF]);
  const chunks = payload.length ? [chunk(payload.subarray(0, half)), chunk(payload.subarray(half))] : [];
  const chunked = (last: string) => Buffer.concat([...chunks, Buffer.from(last)]);
  const te = 'Transfer-Encoding: chunked';
  const length = (n: number | string) => `Content-Length: ${n}`;
  switch (framing) {
    case 'none':
      return { headers: [], body: Buffer.alloc(0), kind: 'ok' };
    case 'length':
      return { headers: [length(payload.length)], body: payload, kind: 'ok' };
    case 'chunked':
      return { headers: [te], body: chunked('0\r\n\r\n'), kind: 'ok' };
    case 'chunked-trailer':
      return { headers: [te], body: chunked('0\r\nX-Trailer: yes\r\n\r\n'), kind: 'ok' };
    case 'chunk-bad-hex':
      return {
        headers: [te],
        body: Buffer.concat([Buffer.from('zz\r\n'), payload, CRLF]),
        kind: 'malformed',
      };
    case 'chunk-negative':
      return {
        headers: [te],
        body: Buffer.concat([Buffer.from('-5\r\n'), payload, CRLF]),
        kind: 'malformed',
      };
    case 'chunk-overflow':
      return {
        headers: [te],
        body: Buffer.from('fffffffffffffffffffff\r\nabc\r\n0\r\n\r\n'),
        kind: 'malformed',
      };
    case 'chunk-larger-than-data': {
      const size = (payload.length + 100).toString(16);
      return {
        headers: [te],
        body: Buffer.concat([Buffer.from(`${size}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]),
        kind: 'incomplete',
      };
    }
    case 'chunk-missing-crlf': {
      const size = (payload.length + 1).toString(16);
      return {
        headers: [te],
        body: Buffer.concat([Buffer.from(`${size}\r\n`), payload, Buffer.from('x0\r\n\r\n')]),
        kind: 'malformed',
      };
    }
    case 'chunk-no-last':
      return { headers: [te], body: Buffer.concat(chunks), kind: 'incomplete' };
    case 'chunk-bad-trailer':
      return { headers: [te], body: chunked('0\r\nno colon here\r\n\r\n'), kind: 'malformed' };
    case 'length-and-chunked':
      return { headers: [length(payload.length), te], body: chunked('0\r\n\r\n'), kind: 'malformed' };
    case 'duplicate-length':
      return { headers: [length(payload.length), length(payload.length)], body: payload, kind: 'malformed' };
    case 'conflicting-lengths':
      return {
        headers: [length(payload.length), length(payload.length + 1)],
        body: payload,
        kind: 'malformed',
      };
    case 'short-length':
      return { headers: [length(Math.max(0, payload.length - 3))], body: payload, kind: 'malformed' };
    case 'long-length':
      return { headers: [length(payload.length + 10)], body: payload, kind: 'incomplete' };
    case 'bad-length':
      return { headers: [length('-1')], body: payload, kind: 'malformed' };
  }
}
const CRLF = Buffer.from('\r\n');

type TargetChange = { name: string; apply: (route: string) => string; kind: Kind };
const withQuery = (route: string, query: string) => `${route}${route.includes('?') ? '&' : '?'}${query}`;
const overlongInput = encodeURIComponent(JSON.stringify({ search: 'x'.repeat(6_000) }));
const TARGET_CHANGES: TargetChange[] = [
  { name: 'as is', apply: (route) => route, kind: 'ok' },
  { name: 'query %', apply: (route) => withQuery(route, 'input=%'), kind: 'ok' },
  { name: 'query %zz', apply: (route) => withQuery(route, 'input=%zz'), kind: 'ok' },
  { name: 'query %C0%AF', apply: (route) => withQuery(route, 'input=%C0%AF'), kind: 'ok' },
  { name: 'query bad JSON', apply: (route) => withQuery(route, 'input=%7B%22'), kind: 'ok' },
  { name: 'overlong input', apply: (route) => withQuery(route, `input=${overlongInput}`), kind: 'ok' },
  { name: 'path %', apply: (route) => route.replace(/(\/[^/?]*)(\?|$)/, '$1%$2'), kind: 'ok' },
  { name: 'path %zz', apply: (route) => route.replace(/(\/[^/?]*)(\?|$)/, '$1%zz$2'), kind: 'ok' },
  { name: 'path %C0%AF', apply: (route) => route.replace(/(\/[^/?]*)(\?|$)/, '$1%C0%AF$2'), kind: 'ok' },
  { name: 'path %00', apply: (route) => route.replace(/(\/[^/?]*)(\?|$)/, '$1%00$2'), kind: 'ok' },
  { name: 'absolute form', apply: (route) => `http://127.0.0.1${route}`, kind: 'ok' },
  { name: 'raw invalid UTF-8', apply: (route) => `${route}\xc0\xaf\xff`, kind: 'malformed' },
  { name: 'raw NUL', apply: (route) => `${route}\x00x`, kind: 'malformed' },
  { name: 'huge URL', apply: (route) => withQuery(route, `q=${'a'.repeat(40_000)}`), kind: 'malformed' },
];

type HeaderChange = { name: string; headers: () => string[]; kind: Kind };
const HEADER_CHANGES: HeaderChange[] = [
  { name: 'plain', headers: () => [], kind: 'ok' },
  {
    name: 'many headers',
    headers: () => Array.from({ length: 300 }, (_, n) => `X-Fuzz-${n}: ${n}`),
    kind: 'ok',
  },
  { name: 'huge header', headers: () => [`X-Big: ${'b'.repeat(20_000)}`], kind: 'malformed' },
  { name: 'NUL in header', headers: () => ['X-Nul: a\x00b'], kind: 'malformed' },
  { name: 'high bytes in header', headers: () => ['X-Utf: \xc3\xa9\xff'], kind: 'malformed' },
  { name: 'header without colon', headers: () => ['no colon here'], kind: 'malformed' },
];

const payloads = {
  create: (n: number) => Buffer.from(JSON.stringify({ title: `fuzz ${n}` })),
  invalidUtf8: () => Buffer.from([...Buffer.from('{"title":"'), 0xc0, 0xaf, 0xff, ...Buffer.from('"}')]),
  nul: () => Buffer.from('{"title":"a\u0000b"}'),
  overlongJson: () => Buffer.from(JSON.stringify({ title: 'x'.repeat(50_000) })),
  oversized: () => Buffer.alloc(1_200_000, 'a'),
};

type Auth = 'none' | 'bearer' | 'cookie' | 'cookie+origin' | 'forged bearer' | 'metrics token';

type Spec = {
  method: { method: string; kind: Kind };
  route: (typeof ROUTES)[number];
  target: TargetChange;
  header: HeaderChange;
  auth: Auth;
  contentType: string | null;
  payload: Buffer;
  framing: Framing;
  finish: Finish;
};

const methodArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...METHODS).map((method) => ({ method, kind: 'ok' as Kind })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...METHODS)
      .map((method) => ({ method: method.toLowerCase(), kind: 'malformed' as Kind })),
  },
  {
    weight: 1,
    arbitrary: fc
      .stringMatching(/^[A-Z][A-Z_-]{0,11}$/)
      .map((method) => ({ method, kind: 'malformed' as Kind })),
  },
);
const payloadArbitrary = fc.oneof(
  { weight: 8, arbitrary: fc.nat(999).map(payloads.create) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 2 }).map((json) => Buffer.from(json)) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.constantFrom(payloads.invalidUtf8(), payloads.nul(), payloads.overlongJson()) },
  { weight: 1, arbitrary: fc.constant(payloads.oversized()) },
);
const specArbitrary: fc.Arbitrary<Spec> = fc.record({
  method: methodArbitrary,
  route: fc.constantFrom(...ROUTES),
  target: fc.oneof(
    { weight: 5, arbitrary: fc.constant(TARGET_CHANGES[0]!) },
    { weight: 3, arbitrary: fc.constantFrom(...TARGET_CHANGES.slice(1)) },
  ),
  header: fc.oneof(
    { weight: 6, arbitrary: fc.constant(HEADER_CHANGES[0]!) },
    { weight: 2, arbitrary: fc.constantFrom(...HEADER_CHANGES.slice(1)) },
  ),
  auth: fc.constantFrom<Auth>(
    'none',
    'bearer',
    'bearer',
    'cookie',
    'cookie+origin',
    'forged bearer',
    'metrics token',
  ),
  contentType: fc.constantFrom(
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'multipart/form-data; boundary=x',
    null,
  ),
  payload: payloadArbitrary,
  framing: fc.oneof(
    { weight: 6, arbitrary: fc.constant<Framing>('length') },
    { weight: 2, arbitrary: fc.constant<Framing>('none') },
    { weight: 4, arbitrary: fc.constantFrom(...FRAMINGS.slice(2)) },
  ),
  finish: fc.constantFrom<Finish>('wait', 'wait', 'wait', 'wait', 'wait', 'wait', 'abort-response', 'reset'),
});

type Client = { host: string; url: string; session: Session };

function authHeaders(auth: Auth, { url, session }: Client): string[] {
  switch (auth) {
    case 'none':
      return [];
    case 'bearer':
      return [`Authorization: Bearer ${session.token}`];
    case 'cookie':
      return [`Cookie: ${session.cookie}`];
    case 'cookie+origin':
      return [`Cookie: ${session.cookie}`, `Origin: ${url}`];
    case 'forged bearer':
      return ['Authorization: Bearer forged.token'];
    case 'metrics token':
      return [`Authorization: Bearer ${METRICS_TOKEN}`];
  }
}

const COMPLETE_FRAMINGS: Framing[] = ['length', 'chunked', 'chunked-trailer', 'short-length'];

function build(spec: Spec, client: Client): RawRequest {
  const target = spec.target.apply(spec.route);
  const framed = frame(spec.payload, spec.framing);
  const headers = [
    `Host: ${client.host}`,
    ...authHeaders(spec.auth, client),
    ...(spec.contentType ? [`Content-Type: ${spec.contentType}`] : []),
    ...spec.header.headers(),
    ...framed.headers,
  ];
  const head = `${spec.method.method} ${target} HTTP/1.1\r\n${headers.map((line) => `${line}\r\n`).join('')}\r\n`;
  const kinds = [spec.method.kind, spec.target.kind, spec.header.kind, framed.kind];
  let kind: Kind = kinds.includes('malformed')
    ? 'malformed'
    : kinds.includes('incomplete')
      ? 'incomplete'
      : 'ok';
  // Node hands a CONNECT's socket to a 'connect' listener, or closes it: no answer is due.
  if (spec.method.method === 'CONNECT' && kind === 'ok') kind = 'malformed';
  return {
    method: spec.method.method,
    bytes: Buffer.concat([Buffer.from(head, 'latin1'), framed.body]),
    kind,
    // Whether the server may have received the whole body of a create (counted unless answered).
    mayCreate:
      spec.method.method === 'POST' &&
      spec.route === CREATE &&
      COMPLETE_FRAMINGS.includes(spec.framing) &&
      !target.startsWith(`${CREATE}%`) &&
      !target.startsWith('http:'),
    label: `${spec.method.method} ${spec.route} [${spec.target.name}; ${spec.header.name}; ${spec.auth}; ${spec.contentType}; ${spec.framing}; ${spec.payload.length} B body; ${spec.finish}]`,
  };
}

// ---------------------------------------------------------------- what must hold

/** A stack frame, a path into the code, or SQL in an answer's body. */
const LEAK = /(^|\n|\\n)\s*at [^\n]*:\d+:\d+|node_modules|\bselect [^\n]*\bfrom |\binsert into /i;
/** What an escaped error prints on the server's stderr. */
const ESCAPED = /unhandledRejection|uncaughtException|TypeError|Error: aborted|^\s+at \S/;

const show = (bytes: Buffer) => JSON.stringify(bytes.subarray(0, 240).toString('latin1'));

function problemsOf(request: RawRequest, outcome: Outcome, finish: Finish, expected = 1): string[] {
  const problems: string[] = [];
  const what = `${request.label}\n      sent: ${show(request.bytes)}`;
  if (outcome.invalid) problems.push(`not an HTTP response (${outcome.invalid}) to ${what}`);
  for (const response of outcome.responses) {
    if (response.status >= 500) problems.push(`${response.statusLine} for ${what}`);
    const body = response.body.toString('latin1');
    if (LEAK.test(body))
      problems.push(
        `internals in a ${response.status} body ${JSON.stringify(body.slice(0, 300))} for ${what}`,
      );
  }
  if (finish === 'wait' && outcome.responses.length < expected && !outcome.streaming) {
    if (request.kind === 'ok') {
      problems.push(
        `${outcome.timedOut ? 'no answer within the timeout' : 'connection closed without an answer'} to ${what}`,
      );
    } else if (outcome.truncated) {
      problems.push(`a response cut off (${show(outcome.raw)}) for ${what}`);
    }
  }
  return problems;
}

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, task: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        await task(items[index]!, index);
      }
    }),
  );
}

const SEED = fuzzSeed;
const RUNS = fuzzRuns(300);
const PIPELINES = fuzzRuns(40);
const BATCH = 25;
/** Generous: on a server that crashes, every restart costs seconds (PGlite boots each time). */
const TEST_TIMEOUT_MS = 300_000;

describe.each(DRIVERS)('the HTTP edge under hostile bytes (%s)', (driver) => {
  let webDist: string;
  let database: TestDatabase | undefined;
  let server: ServerProcess;
  let client: Client;
  let port: number;
  /** Creates answered 200, and creates whose full body was sent but whose answer never came. */
  const creates = { ok: 0, unanswered: 0, since: 'start' };
  let stderrSeen = 0;
  const statuses = new Map<string, number>();
  let started = 0;

  async function start() {
    server = await spawnServer({
      env: {
        NODE_ENV: 'production',
        BETTER_AUTH_SECRET: TEST_SECRET,
        AUTH_RATE_LIMIT_PER_MINUTE: '0',
        LOG_REQUESTS: 'false',
        METRICS_TOKEN,
        WEB_DIST: webDist,
        ...(database?.url
          ? { DATABASE_URL: database.url, MIGRATE_ON_START: 'true' }
          : { PGLITE_DIR: 'memory' }),
      },
    });
    port = Number(new URL(server.url).port);
    client = {
      host: `127.0.0.1:${port}`,
      url: server.url,
      session: await signUp(server.url, { password: PASSWORD }),
    };
    stderrSeen = 0;
  }

  /**
   * After each batch: the process alive, /healthz 200 on a fresh connection, nothing escaped to
   * stderr. A dead server is started again (on a fresh user), so one crash does not hide others.
   */
  async function checkServer(problems: string[], after: string) {
    const health = await exchange(
      port,
      Buffer.from(`GET /healthz HTTP/1.1\r\nHost: ${client.host}\r\nConnection: close\r\n\r\n`),
      { methods: ['GET'] },
    );
    const status = health.responses[0]?.status;
    if (status !== 200) {
      problems.push(`/healthz answered ${status ?? 'nothing'} on a fresh connection ${after}`);
      // A dying process may hold its port for a moment yet.
      await Promise.race([server.exit, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    }
    const exited = server.process.exitCode ?? server.process.signalCode;
    if (exited !== null) problems.push(`the server exited (${exited}) ${after}`);
    const escaped = server.stderr.slice(stderrSeen).filter((line) => ESCAPED.test(line));
    stderrSeen = server.stderr.length;
    // Distinct lines, without their timestamps: one cause repeated a hundred times is one problem.
    const distinct = [
      ...new Set(escaped.map((line) => line.replace(/^\S*\d{4}-\d\d-\d\dT\S+\s*/, '').trim())),
    ];
    if (distinct.length) problems.push(`stderr ${after}:\n      ${distinct.slice(0, 8).join('\n      ')}`);
    if (exited !== null) {
      await start();
      Object.assign(creates, { ok: 0, unanswered: 0, since: `the restart ${after}` });
    }
  }

  /** Sends each request on its own connection, a batch at a time, checking the server after each batch. */
  async function sendAll(requests: RawRequest[], finishes: Finish[], what: string) {
    const problems: string[] = [];
    for (let first = 0; first < requests.length; first += BATCH) {
      const batch = requests.slice(first, first + BATCH);
      await pool(batch, 4, async (request, n) => {
        let finish = finishes[first + n] ?? 'wait';
        if (request.mayCreate || request.kind === 'malformed') finish = 'wait';
        if (request.kind === 'incomplete') finish = 'end';
        const outcome = await exchange(port, request.bytes, {
          finish,
          methods: [request.method],
          timeoutMs: request.kind === 'ok' ? 30_000 : 5_000,
        });
        const status = outcome.responses[0]?.status;
        const key = `${status ?? (finish === 'wait' ? 'closed' : finish)}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (request.mayCreate) {
          if (status === 200) creates.ok++;
          else if (status === undefined) creates.unanswered++;
        }
        problems.push(...problemsOf(request, outcome, finish).map((problem) => `#${first + n} ${problem}`));
      });
      await checkServer(problems, `after ${what} ${first}-${first + batch.length - 1}`);
    }
    expect(problems, `${driver}, seed ${SEED} (FUZZ_SEED=${SEED} reproduces)`).toEqual([]);
  }

  beforeAll(async () => {
    started = performance.now();
    webDist = testWebBuild();
    if (driver === 'pg') database = await createTestDatabase('pg');
    await start();
  }, 120_000);

  afterAll(async () => {
    console.log(
      `edge fuzz (${driver}, seed ${SEED}): ${Math.round((performance.now() - started) / 1000)} s; ` +
        `first statuses ${JSON.stringify(Object.fromEntries(statuses))}; creates ${JSON.stringify(creates)}`,
    );
    await server?.stop('SIGKILL');
    await database?.dispose();
    rmSync(webDist, { recursive: true, force: true });
  });

  it(
    'answers a method a route does not serve with 405 and Allow, and a batch of more than 10 calls with 400',
    async () => {
      const problems: string[] = [];
      const send = (method: string, route: string) =>
        exchange(
          port,
          Buffer.from(
            `${method} ${route} HTTP/1.1\r\nHost: ${client.host}\r\nAuthorization: Bearer ${client.session.token}\r\n` +
              'Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
          ),
          { methods: [method], timeoutMs: 30_000 },
        );
      for (const route of ROUTES) {
        for (const method of [
          'GET',
          'HEAD',
          'POST',
          'PUT',
          'DELETE',
          'PATCH',
          'OPTIONS',
          'TRACE',
          'PROPFIND',
        ]) {
          const outcome = await send(method, route);
          const response = outcome.responses[0];
          const got = response
            ? `${response.status} (allow: ${response.headers.get('allow') ?? '-'})`
            : 'no answer';
          const expected = expectation(method, route);
          if (!response || response.status >= 500) problems.push(`${method} ${route}: ${got}`);
          else if (expected === '405' && (response.status !== 405 || !response.headers.get('allow')))
            problems.push(`${method} ${route}: ${got}, expected 405 with an Allow header`);
          else if (expected === '404' && response.status !== 404)
            problems.push(`${method} ${route}: ${got}, expected 404`);
          else if (expected === '404/405' && ![404, 405].includes(response.status))
            problems.push(`${method} ${route}: ${got}, expected 404 or 405`);
          else if (expected === 'served' && response.status === 405)
            problems.push(`${method} ${route}: ${got}, but the route serves ${method}`);
          else if (method === 'GET' && route === '/api/trpc/todo.changes' && !isEventStream(response))
            problems.push(`${method} ${route}: ${got}, expected an event stream`);
          await checkServer(problems, `after ${method} ${route}`);
        }
      }
      for (const calls of [10, 11, 50]) {
        const route = `/api/trpc/${Array.from({ length: calls }, () => 'todo.counts').join(',')}?batch=1`;
        const status = (await send('GET', route)).responses[0]?.status;
        if (status !== (calls > 10 ? 400 : 200))
          problems.push(`a batch of ${calls} calls: ${status ?? 'no answer'}`);
      }
      await checkServer(problems, 'after batches');
      expect(problems, driver).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'survives a create and a sign-in cut at every byte, and creates nothing from a cut body',
    async () => {
      const create = Buffer.from(
        `POST ${CREATE} HTTP/1.1\r\nHost: ${client.host}\r\nAuthorization: Bearer ${client.session.token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: 20\r\n\r\n{"title":"cut body"}`,
      );
      const body = JSON.stringify({ email: client.session.email, password: PASSWORD });
      const signIn = Buffer.from(
        `POST /api/auth/sign-in/email HTTP/1.1\r\nHost: ${client.host}\r\nOrigin: ${client.url}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      // The whole requests first: the templates are valid.
      const whole = await exchange(port, create, { methods: ['POST'] });
      expect(whole.responses[0]?.status).toBe(200);
      creates.ok++;
      expect((await exchange(port, signIn, { methods: ['POST'] })).responses[0]?.status).toBe(200);

      const cuts: RawRequest[] = [];
      const finishes: Finish[] = [];
      for (const [name, bytes] of [
        ['create', create],
        ['sign-in', signIn],
      ] as const) {
        for (let at = 0; at < bytes.length; at++) {
          for (const finish of ['end', 'reset'] as const) {
            cuts.push({
              method: 'POST',
              bytes: bytes.subarray(0, at),
              kind: 'incomplete',
              mayCreate: false,
              label: `${name} cut at byte ${at} of ${bytes.length}, then ${finish}`,
            });
            finishes.push(finish);
          }
        }
      }
      // sendAll sends every incomplete request with a half-close: do the resets by hand.
      const problems: string[] = [];
      for (let first = 0; first < cuts.length; first += BATCH * 4) {
        const batch = cuts.slice(first, first + BATCH * 4);
        await pool(batch, 4, async (request, n) => {
          const finish = finishes[first + n]!;
          const outcome = await exchange(port, request.bytes, {
            finish,
            methods: ['POST'],
            timeoutMs: 10_000,
          });
          problems.push(...problemsOf(request, outcome, finish));
        });
        await checkServer(problems, `after cuts ${first}-${first + batch.length - 1}`);
      }
      expect(problems, driver).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    `answers ${RUNS} generated requests, each on its own connection, without a 5xx or a leak`,
    async () => {
      const specs = fc.sample(specArbitrary, { seed: SEED, numRuns: RUNS });
      await sendAll(
        specs.map((spec) => build(spec, client)),
        specs.map((spec) => spec.finish),
        'generated requests',
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    `answers ${PIPELINES} pipelines of several requests in one write, hostile ones among them`,
    async () => {
      const pipelineArbitrary = fc.record({
        valid: fc.array(
          specArbitrary.filter((spec) => spec.route !== CREATE),
          { minLength: 2, maxLength: 5 },
        ),
        hostile: fc.option(specArbitrary.filter((spec) => spec.route !== CREATE)),
        at: fc.nat(5),
      });
      const problems: string[] = [];
      const answered = new Map<string, string[]>();
      const samples = fc.sample(pipelineArbitrary, { seed: SEED + 1, numRuns: PIPELINES });
      for (const [index, { valid, hostile, at }] of samples.entries()) {
        const requests = valid.map((spec) => build(spec, client)).filter((request) => request.kind === 'ok');
        if (hostile) requests.splice(Math.min(at, requests.length), 0, build(hostile, client));
        if (requests.length === 0) continue;
        const leading = requests.findIndex((request) => request.kind !== 'ok');
        const expected = leading === -1 ? requests.length : leading;
        const outcome = await exchange(port, Buffer.concat(requests.map((request) => request.bytes)), {
          methods: requests.map((request) => request.method),
          expected: Math.max(1, expected),
          timeoutMs: expected === requests.length ? 30_000 : 5_000,
        });
        const label = requests.map((request) => request.label).join('\n      then ');
        // All well-formed: the first must be answered. A server may close a keep-alive connection
        // after any answer (Node does when a body was left unread), but must not leave it hanging.
        const allValid = expected === requests.length;
        const pipeline: RawRequest = { ...requests[0]!, kind: allValid ? 'ok' : 'malformed', label };
        problems.push(
          ...problemsOf(pipeline, outcome, 'wait').map((problem) => `pipeline #${index} ${problem}`),
        );
        if (allValid && outcome.timedOut) {
          problems.push(
            `pipeline #${index}: ${outcome.responses.length} of ${expected} answered, then it hung: ${label}`,
          );
        }
        answered.set(allValid ? 'all valid' : 'with a hostile one', [
          ...(answered.get(allValid ? 'all valid' : 'with a hostile one') ?? []),
          `${outcome.responses.length}/${requests.length}`,
        ]);
        await checkServer(problems, `after pipeline ${index}`);
      }
      console.log(`pipelines (${driver}): answers ${JSON.stringify(Object.fromEntries(answered))}`);
      expect(problems, `${driver}, seed ${SEED}`).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'survives clients that leave in the middle of a large answer',
    async () => {
      // 30 todos with 5,000-character descriptions: a page of them is a 150 KB answer.
      const seeds: RawRequest[] = Array.from({ length: 30 }, (_, n) => {
        const body = JSON.stringify({ title: `large ${n}`, description: 'd'.repeat(5_000) });
        return {
          method: 'POST',
          bytes: Buffer.from(
            `POST ${CREATE} HTTP/1.1\r\nHost: ${client.host}\r\nAuthorization: Bearer ${client.session.token}\r\n` +
              `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
          ),
          kind: 'ok',
          mayCreate: true,
          label: `large create ${n}`,
        };
      });
      const input = encodeURIComponent(JSON.stringify({ limit: 100 }));
      const lists = ['/api/trpc/todo.list', '/api/trpc/todo.list,todo.list,todo.counts?batch=1'].flatMap(
        (route) =>
          ['bearer', 'cookie'].map((auth) => {
            const target = route.includes('batch')
              ? `${route}&input=${encodeURIComponent(JSON.stringify({ 0: { limit: 100 }, 1: { limit: 100 } }))}`
              : `${route}?input=${input}`;
            const credentials =
              auth === 'bearer'
                ? `Authorization: Bearer ${client.session.token}`
                : `Cookie: ${client.session.cookie}`;
            return {
              method: 'GET',
              bytes: Buffer.from(`GET ${target} HTTP/1.1\r\nHost: ${client.host}\r\n${credentials}\r\n\r\n`),
              kind: 'ok' as Kind,
              mayCreate: false,
              label: `GET ${route} (${auth})`,
            };
          }),
      );
      const aborted = Array.from({ length: 10 }, () => lists).flat();
      await sendAll(seeds, [], 'large creates');
      await sendAll(
        [...aborted, ...aborted, ...lists],
        [
          ...aborted.map((): Finish => 'abort-response'),
          ...aborted.map((): Finish => 'reset'),
          ...lists.map((): Finish => 'wait'),
        ],
        'abandoned answers',
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'counts exactly the creates that were answered 200',
    async () => {
      const response = await fetch(`${client.url}/api/trpc/todo.counts`, {
        headers: { authorization: `Bearer ${client.session.token}` },
      });
      expect(response.status).toBe(200);
      const { all } = ((await response.json()) as { result: { data: { all: number } } }).result.data;
      const message = `${driver}, seed ${SEED}: ${JSON.stringify(creates)}`;
      if (creates.unanswered === 0) expect(all, message).toBe(creates.ok);
      else {
        expect(all, message).toBeGreaterThanOrEqual(creates.ok);
        expect(all, message).toBeLessThanOrEqual(creates.ok + creates.unanswered);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
