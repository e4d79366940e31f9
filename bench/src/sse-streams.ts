// The realtime workload's event streams: a lean SSE reader (node:http, one socket each, lines
// parsed by hand) instead of an EventSource per stream, so that 2,000 of them cost the load
// generator little. A stream that ends by itself reconnects with Last-Event-ID, as a client would.
import { type ClientRequest, request as httpRequest } from 'node:http';
import { onCleanup, sleep } from './processes.ts';
import type { SeededUser } from './seed.ts';

export type Stream = {
  user: number;
  /** 0: the device the writes come from; any other: another device of the owner, where latency is timed. */
  device: number;
  token: string;
  lastId: string | null;
  request: ClientRequest | null;
};

export type Handlers = {
  event(stream: Stream, id: string, data: string, at: number): void;
  error(): void;
  /** The response ended although nobody closed it. */
  ended(stream: Stream): void;
};

/**
 * GET todo.changes as `stream`'s user, resuming after its last id; resolves on the `connected`
 * event, rejects on any other answer than a 200 event stream.
 */
function connect(target: URL, stream: Stream, on: Handlers): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${stream.token}`,
      accept: 'text/event-stream',
    };
    if (stream.lastId !== null) headers['last-event-id'] = stream.lastId;
    let connected = false;
    const request = httpRequest({
      host: target.hostname,
      port: target.port,
      path: '/api/trpc/todo.changes',
      headers,
      agent: false,
    });
    stream.request = request;
    request.on('error', (error) => {
      if (!connected) reject(error);
    });
    request.on('response', (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`todo.changes answered ${response.statusCode}`));
        return;
      }
      response.on('error', () => {}); // a reset; 'close' follows
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk: string) => {
        const at = performance.now();
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          let event = '';
          let data = '';
          let id = '';
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon <= 0) continue; // a comment, or not a field
            const value = line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
            const field = line.slice(0, colon);
            if (field === 'event') event = value;
            else if (field === 'data') data = data === '' ? value : `${data}\n${value}`;
            else if (field === 'id') id = value;
          }
          if (event === 'connected') {
            connected = true;
            resolve();
          } else if (event === '' && data !== '') on.event(stream, id, data, at);
          else if (event === 'serialized-error') on.error();
        }
      });
      response.on('close', () => {
        if (!connected) reject(new Error('todo.changes ended before it connected'));
        else if (stream.request === request) on.ended(stream);
      });
    });
    request.end();
  });
}

/**
 * Stream `index`'s user and device, `perUser` streams per user for the first users: a user's
 * streams are neighbours, so that the first `n × perUser` streams are whole users.
 */
export const streamPlace = (index: number, perUser: number) => ({
  user: Math.floor(index / perUser),
  device: index % perUser,
});

/** `count` streams, `perUser` per user, opened and closed together against one server at a time. */
export function createStreams(
  users: SeededUser[],
  { count, perUser }: { count: number; perUser: number },
  on: Omit<Handlers, 'ended'>,
) {
  const streams: Stream[] = [];
  for (let i = 0; i < count; i++) {
    const place = streamPlace(i, perUser);
    streams.push({ ...place, token: users[place.user]!.token, lastId: null, request: null });
  }
  let target: URL | null = null;
  let reconnects = 0;
  let errors = 0;

  const open = async (stream: Stream) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await connect(target!, stream, handlers);
      } catch (error) {
        errors++;
        stream.request?.destroy();
        if (attempt === 5 || target === null) throw error;
        await sleep(500);
      }
    }
  };
  const handlers: Handlers = {
    ...on,
    error() {
      errors++;
      on.error();
    },
    ended(stream) {
      // Not closed by us: reconnect with Last-Event-ID, as a client would; its events replay.
      stream.request = null;
      if (target === null) return;
      reconnects++;
      void sleep(100).then(() => (target === null ? undefined : open(stream).catch(() => {})));
    },
  };

  const close = async () => {
    target = null;
    for (const stream of streams) {
      const request = stream.request;
      stream.request = null;
      stream.lastId = null;
      request?.destroy();
    }
  };
  onCleanup(close);

  return {
    get reconnects() {
      return reconnects;
    },
    get errors() {
      return errors;
    },
    /** Opens the first `limit` streams against `url`, 100 at a time; resolves when all connected. */
    async open(url: string, limit = streams.length) {
      target = new URL(url);
      let next = 0;
      const worker = async () => {
        while (next < limit) await open(streams[next++]!);
      };
      await Promise.all(Array.from({ length: Math.min(100, limit) }, worker));
    },
    close,
  };
}
