/**
 * A small server-sent-events reader for the server's tests: `todo.changes` opened with plain
 * fetch (a bearer or a cookie, as any client would send them), its `event:`/`data:`/`id:` lines
 * parsed as the HTML standard's EventSource parses them, and read one event at a time with a
 * deadline. Test code only; it depends on neither the web app nor the client package.
 */

/** One dispatched event; `event` is 'message' when the server named none. */
export type SseEvent = { event: string; data: string; id: string | null };

/** A `todo.changes` data event, parsed: the contract's TodoChange and its id. */
export type ChangeEvent = {
  id: string | null;
  change:
    | { type: 'upsert'; todo: { id: string; title: string; completed: boolean; listId: string } }
    | { type: 'delete'; id: string; listId: string }
    | { type: 'reset'; listId?: string }
    | { type: 'list'; list: { id: string; name: string; role: string; memberCount: number } }
    | { type: 'listRemoved'; id: string };
};

/** Thrown by `next` when no event came before its deadline. */
export class StreamTimeoutError extends Error {}

export type EventStream = {
  response: Response;
  status: number;
  /** Every event dispatched so far, in order, read or not. */
  readonly events: SseEvent[];
  /** Settles once the body is over: 'end' when the server finished it, 'error' when it was cut. */
  readonly ended: Promise<'end' | 'error'>;
  /**
   * The next event not yet returned, null once the stream is over and none are left; throws a
   * StreamTimeoutError after `timeoutMs`.
   */
  next(timeoutMs?: number): Promise<SseEvent | null>;
  /** The next data event (skipping `connected`, `ping` and the like), parsed; null once over. */
  nextChange(timeoutMs?: number): Promise<ChangeEvent | null>;
  /** The next `count` data events, parsed; throws if the stream ends or stalls first. */
  changes(count: number, timeoutMs?: number): Promise<ChangeEvent[]>;
  /** Every event that arrives within `ms` (fewer if the stream ends first): for "nothing came". */
  during(ms: number): Promise<SseEvent[]>;
  /** Aborts the request: the client going away. */
  close(): void;
};

/** Events that carry no change: tRPC's handshake, keep-alives, and its id bookkeeping. */
const CONTROL = new Set(['connected', 'ping', 'return', 'serialized-error']);

/** The events of one stream in arrival order, and a cursor that waits for the next one unread. */
class EventQueue {
  readonly events: SseEvent[] = [];
  #read = 0;
  #over = false;
  #notify = () => {};

  push(event: SseEvent) {
    this.events.push(event);
    this.#notify();
  }

  /** No more events will come: a waiting `next` returns null once the rest are read. */
  finish() {
    this.#over = true;
    this.#notify();
  }

  async next(timeoutMs: number): Promise<SseEvent | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.#read >= this.events.length) {
      if (this.#over) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new StreamTimeoutError(`no event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#notify = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.events[this.#read++] ?? null;
  }
}

/**
 * The line interpreter of the HTML standard's event-stream format: fields gather until a blank
 * line, which dispatches them as one event (if it had `data` or `event`); comments are skipped.
 */
function eventLineReader(dispatch: (event: SseEvent) => void): (line: string) => void {
  let fields: { event?: string; data?: string[]; id?: string } = {};
  return (text) => {
    if (text === '') {
      if (fields.data !== undefined || fields.event !== undefined) {
        dispatch({
          event: fields.event || 'message',
          data: (fields.data ?? []).join('\n'),
          id: fields.id ?? null,
        });
      }
      fields = {};
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const name = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'event') fields.event = value;
    else if (name === 'data') fields.data = [...(fields.data ?? []), value];
    else if (name === 'id' && !value.includes('\0')) fields.id = value;
  };
}

/**
 * Reads `body` to its end into `queue`, cut into lines at CR, LF or CRLF; settles 'end' when
 * the server finished it, 'error' when it was cut.
 */
async function readEvents(body: ReadableStream<Uint8Array>, queue: EventQueue): Promise<'end' | 'error'> {
  const decoder = new TextDecoder();
  const line = eventLineReader((event) => queue.push(event));
  let buffer = '';
  try {
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      // A '\r' at the end may be the first half of a '\r\n': it waits for the next chunk.
      const carry = buffer.endsWith('\r') ? '\r' : '';
      const lines = (carry ? buffer.slice(0, -1) : buffer).split(/\r\n|\r|\n/);
      buffer = (lines.pop() ?? '') + carry;
      for (const text of lines) line(text);
    }
    return 'end';
  } catch {
    return 'error';
  } finally {
    queue.finish();
  }
}

/** The next data event of `queue` (control events skipped), parsed; null once the stream is over. */
async function nextChange(queue: EventQueue, timeoutMs: number): Promise<ChangeEvent | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const event = await queue.next(Math.max(0, deadline - Date.now()));
    if (!event) return null;
    if (event.event === 'serialized-error') throw new Error(`the stream sent an error: ${event.data}`);
    if (!CONTROL.has(event.event) && event.data !== '') {
      return { id: event.id, change: JSON.parse(event.data) as ChangeEvent['change'] };
    }
  }
}

/** The next `count` data events of `queue`; throws if the stream ends or stalls first. */
async function changes(queue: EventQueue, count: number, timeoutMs: number): Promise<ChangeEvent[]> {
  const deadline = Date.now() + timeoutMs;
  const found: ChangeEvent[] = [];
  while (found.length < count) {
    const change = await nextChange(queue, Math.max(0, deadline - Date.now()));
    if (!change) throw new Error(`the stream ended after ${found.length} of ${count} changes`);
    found.push(change);
  }
  return found;
}

/** Every event of `queue` that arrives within `ms`, fewer if the stream ends first. */
async function during(queue: EventQueue, ms: number): Promise<SseEvent[]> {
  const deadline = Date.now() + ms;
  const seen: SseEvent[] = [];
  for (;;) {
    try {
      const event = await queue.next(Math.max(0, deadline - Date.now()));
      if (!event) return seen;
      seen.push(event);
    } catch (error) {
      if (error instanceof StreamTimeoutError) return seen;
      throw error;
    }
  }
}

/**
 * Opens an event stream at `url` (GET, `Accept: text/event-stream`). A response that is not an
 * event stream (a 401, a 400) is returned unread: its `response` body is the caller's.
 *
 * @example
 * const stream = await openEventStream(changesUrl(server.url), { headers: bearer(token) });
 * const [created] = await stream.changes(1);
 * stream.close();
 */
export async function openEventStream(
  url: string,
  { headers = {}, lastEventId }: { headers?: Record<string, string>; lastEventId?: string } = {},
): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: {
      accept: 'text/event-stream',
      ...(lastEventId !== undefined && { 'last-event-id': lastEventId }),
      ...headers,
    },
    signal: abort.signal,
  });
  const queue = new EventQueue();
  const isStream = response.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
  const ended: Promise<'end' | 'error'> =
    isStream && response.body ? readEvents(response.body, queue) : Promise.resolve('end');
  return {
    response,
    status: response.status,
    events: queue.events,
    ended,
    next: (timeoutMs = 10_000) => queue.next(timeoutMs),
    nextChange: (timeoutMs = 10_000) => nextChange(queue, timeoutMs),
    changes: (count, timeoutMs = 10_000) => changes(queue, count, timeoutMs),
    during: (ms) => during(queue, ms),
    close: () => abort.abort(),
  };
}

/** The URL of `todo.changes` on `base`, with `lastEventId` as tRPC input when given. */
export function changesUrl(base: string, lastEventId?: string): string {
  const url = new URL(`${base}/api/trpc/todo.changes`);
  if (lastEventId !== undefined) url.searchParams.set('input', JSON.stringify({ lastEventId }));
  return url.toString();
}
