// The requests the benchmark sends, taken from the client at run time: each call of the mix is
// made through a real tRPC client whose fetch records it (recording-fetch.ts), with sentinel
// values in place of the token, title and id. Where each sentinel lands becomes a slot, and
// every load-generator request is that recording with the slots filled. A change to
// @todo/client's link (batching, headers, methods) reaches the benchmark without an edit here.
//
// Two shapes:
// - client: as @todo/client sends it (the web app and the CLI use its link);
// - single: one call per URL, its input in the query (GET) or the body (POST), as curl and
//   tRPC's unbatched httpLink send it.
import { randomBytes, randomUUID } from 'node:crypto';
import { type AppRouter, createTodoClient } from '@todo/client';
import { createTRPCClient, httpLink } from '@trpc/client';
import { createRecordingFetch, type RecordedRequest } from './recording-fetch.ts';

export const SHAPES = ['client', 'single'] as const;
export type ShapeName = (typeof SHAPES)[number];

type TodoApi = ReturnType<typeof createTodoClient>;
type ClientOptions = { url: string; token: string; fetch: typeof fetch };

/** How each shape's client is made. */
export const SHAPE_CLIENTS: Record<ShapeName, (options: ClientOptions) => TodoApi> = {
  client: (options) => createTodoClient(options),
  single: ({ url, token, fetch }) =>
    createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${url}/api/trpc`, headers: { authorization: `Bearer ${token}` }, fetch })],
    }),
};

/** The values that change from one request of the mix to the next. */
export type CallValues = { token: string; list: string; title: string; id: string; completed: boolean };

/** The mix's calls (CONTRACT.md "Performance"), as a program makes them. */
export const MIX_CALLS = {
  list: (api: TodoApi, values: CallValues) => api.todo.list.query({ listId: values.list, limit: 50 }),
  create: (api: TodoApi, values: CallValues) =>
    api.todo.create.mutate({ listId: values.list, title: values.title }),
  update: (api: TodoApi, values: CallValues) =>
    api.todo.update.mutate({ id: values.id, completed: values.completed }),
};
export type Call = (api: TodoApi, values: CallValues) => Promise<unknown>;

type Slot = 'token' | 'list' | 'title' | 'id';
/** How a value is written where it lands: as is (a header), inside a JSON string (a body), or that percent-encoded (a query). */
export type Encoding = 'header' | 'json' | 'url';
export type Part = string | { slot: Slot; encoding: Encoding };

/** A recorded request with slots where the values go. */
export type RequestTemplate = {
  method: string;
  path: Part[];
  headers: [name: string, value: Part[]][];
  body: Part[] | null;
};

export type Shape = {
  name: ShapeName;
  list: RequestTemplate;
  create: RequestTemplate;
  /** todo.update, by the `completed` it sets: a boolean is no string, so each value has its own recording. */
  update: { completed: RequestTemplate; active: RequestTemplate };
};

const jsonText = (value: string) => JSON.stringify(value).slice(1, -1);

/**
 * `value` as it reads where it lands. tRPC writes a query's input with encodeURIComponent, and
 * fetch's URL parser then also escapes the apostrophe, which encodeURIComponent leaves alone.
 */
export function encode(value: string, encoding: Encoding): string {
  if (encoding === 'header') return value;
  if (encoding === 'json') return jsonText(value);
  return encodeURIComponent(jsonText(value)).replaceAll("'", '%27');
}

/** Splits `text` at each sentinel it holds. */
function partsOf(text: string, encoding: Encoding, sentinels: [Slot, string][]): Part[] {
  const parts: Part[] = [];
  let rest = text;
  for (;;) {
    let next: { at: number; slot: Slot; length: number } | null = null;
    for (const [slot, sentinel] of sentinels) {
      const at = rest.indexOf(sentinel);
      if (at !== -1 && (next === null || at < next.at)) next = { at, slot, length: sentinel.length };
    }
    if (next === null) break;
    if (next.at > 0) parts.push(rest.slice(0, next.at));
    parts.push({ slot: next.slot, encoding });
    rest = rest.slice(next.at + next.length);
  }
  if (rest !== '') parts.push(rest);
  return parts;
}

/** Makes `call` through `shape`'s client with a recording fetch; it must send exactly one request. */
export async function recordCall(shape: ShapeName, call: Call, values: CallValues): Promise<RecordedRequest> {
  const recorder = createRecordingFetch();
  const api = SHAPE_CLIENTS[shape]({
    url: 'http://recorded.invalid',
    token: values.token,
    fetch: recorder.fetch,
  });
  await call(api, values);
  const sent = recorder.take();
  if (sent.length !== 1) throw new Error(`the ${shape} shape sent ${sent.length} requests for one call`);
  return sent[0]!;
}

/**
 * The template of `call` in `shape`. The sentinels read the same in every encoding (letters and
 * digits; a uuid), so each is found as is wherever the client put it.
 */
export async function recordTemplate(
  shape: ShapeName,
  call: Call,
  completed = false,
): Promise<RequestTemplate> {
  const sentinels = {
    token: `token${randomBytes(16).toString('hex')}`,
    list: randomUUID(),
    title: `title${randomBytes(16).toString('hex')}`,
    id: randomUUID(),
  };
  const sent = await recordCall(shape, call, { ...sentinels, completed });
  const marks = Object.entries(sentinels) as [Slot, string][];
  return {
    method: sent.method,
    path: partsOf(sent.path, 'url', marks),
    headers: Object.entries(sent.headers).map(([name, value]) => [name, partsOf(value, 'header', marks)]),
    body: sent.body === null ? null : partsOf(sent.body, 'json', marks),
  };
}

/** A request ready to send: the shape's recording with these values in its slots. */
export type BuiltRequest = RecordedRequest;

const joined = (parts: Part[], values: Partial<Record<Slot, string>>) =>
  parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const value = values[part.slot];
      if (value === undefined) throw new Error(`no ${part.slot} for this request`);
      return encode(value, part.encoding);
    })
    .join('');

/** `template` with `values` in its slots (values it has no slot for are left out). */
export function fill(template: RequestTemplate, values: Partial<Record<Slot, string>>): BuiltRequest {
  return {
    method: template.method,
    path: joined(template.path, values),
    headers: Object.fromEntries(template.headers.map(([name, parts]) => [name, joined(parts, values)])),
    body: template.body === null ? null : joined(template.body, values),
  };
}

/** The template for one call of the mix, by its kind and (for an update) the `completed` it sets. */
export function templateFor(shape: Shape, call: keyof typeof MIX_CALLS, completed = false) {
  return call === 'update' ? shape.update[completed ? 'completed' : 'active'] : shape[call];
}

/**
 * Whether the templates write these values as the client does: the client's own request for
 * them, recorded, against the filled template. Throws with both when they differ.
 */
export async function checkShape(shape: Shape, values: CallValues): Promise<void> {
  for (const call of Object.keys(MIX_CALLS) as (keyof typeof MIX_CALLS)[]) {
    const expected = await recordCall(shape.name, MIX_CALLS[call], values);
    const built = fill(templateFor(shape, call, values.completed), values);
    if (JSON.stringify(built) !== JSON.stringify(expected)) {
      throw new Error(
        `the ${shape.name} shape's ${call} template does not write what the client sends:\n` +
          `  client:   ${JSON.stringify(expected)}\n  template: ${JSON.stringify(built)}`,
      );
    }
  }
}

/**
 * Records `name`'s shape from its client, and checks it against the client with values like
 * the mix's (a title with spaces, both `completed`).
 */
export async function recordShape(name: ShapeName): Promise<Shape> {
  const shape: Shape = {
    name,
    list: await recordTemplate(name, MIX_CALLS.list),
    create: await recordTemplate(name, MIX_CALLS.create),
    update: {
      completed: await recordTemplate(name, MIX_CALLS.update, true),
      active: await recordTemplate(name, MIX_CALLS.update, false),
    },
  };
  for (const completed of [true, false]) {
    const token = randomBytes(16).toString('hex');
    await checkShape(shape, {
      token,
      list: randomUUID(),
      title: 'Benchmark todo 1234',
      id: randomUUID(),
      completed,
    });
  }
  return shape;
}

/** A template as text, its slots as {token}, {title} and {id}: what the report and the JSON results show. */
export function describeTemplate(template: RequestTemplate) {
  const show = (parts: Part[]) =>
    parts.map((part) => (typeof part === 'string' ? part : `{${part.slot}}`)).join('');
  return {
    method: template.method,
    path: show(template.path),
    headers: Object.fromEntries(template.headers.map(([name, parts]) => [name, show(parts)])),
    body: template.body === null ? null : show(template.body),
  };
}

/** The first call's data in an answer of either shape: an array (a batch) or one object. */
export function firstResult<T>(body: string): T {
  const answer = JSON.parse(body) as { result: { data: T } } | { result: { data: T } }[];
  return (Array.isArray(answer) ? answer[0]! : answer).result.data;
}
