import type { TodoChange } from '@todo/client';
import { defineCommand, type Io } from '../command.ts';
import { usageError } from '../errors.ts';
import { describeChange, describeReset } from '../format.ts';
import { jsonOption } from '../options.ts';
import { print } from '../output.ts';
import { listAll, type Todo } from '../resolve-todos.ts';
import { type Api, session } from '../session.ts';

/** `todo watch --json`'s line: the event id first; a deleted todo's id as `todoId`, not to clash with it. */
const jsonLine = (id: string, change: TodoChange) =>
  change.type === 'delete' ? { id, type: change.type, todoId: change.id } : { id, ...change };

/**
 * The human lines of a watch: each change is worded from the todo as it was before, so this
 * keeps the list it fetched first and every change since.
 */
function humanLines(api: Api) {
  const known = new Map<string, Todo>();
  const refetch = async () => {
    const todos = await listAll(api, {});
    known.clear();
    for (const todo of todos) known.set(todo.id, todo);
    return todos;
  };
  return {
    refetch,
    async line(change: TodoChange): Promise<string> {
      if (change.type === 'reset') return describeReset(await refetch());
      const todoId = change.type === 'delete' ? change.id : change.todo.id;
      const line = describeChange(change, known.get(todoId));
      if (change.type === 'delete') known.delete(todoId);
      else known.set(todoId, change.todo);
      return line;
    },
  };
}

/** Says on stderr when the stream starts, drops and comes back. */
function connectionNotes(io: Io, url: string) {
  let connected = false;
  let lost = false;
  return (state: { state: string; error?: unknown }) => {
    if (state.state === 'pending') {
      if (!connected) io.stderr.write(`Watching ${url} for changes. Press Ctrl-C to stop.\n`);
      else if (lost) io.stderr.write('Connected again.\n');
      connected = true;
      lost = false;
    } else if (state.state === 'connecting' && state.error && connected && !lost) {
      lost = true;
      io.stderr.write('Connection lost; reconnecting…\n');
    }
  };
}

/** Prints every change until `signal` aborts; rejects when the stream fails for good. */
function follow(
  api: Api,
  io: Io,
  url: string,
  toLine: (id: string, change: TodoChange) => Promise<string>,
  signal: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // Lines go out in the order the events came, also when a reset has to refetch first.
    let printed: Promise<void> = Promise.resolve();
    const fail = (error: unknown) => {
      subscription.unsubscribe();
      reject(error);
    };
    const subscription = api.todo.changes.subscribe(
      {},
      {
        onConnectionStateChange: connectionNotes(io, url),
        onData({ id, data: change }) {
          printed = printed
            .then(async () => {
              print(io, await toLine(id, change));
            })
            .catch(fail);
        },
        onError: fail,
      },
    );
    signal.addEventListener('abort', () => {
      subscription.unsubscribe();
      void printed.then(resolve);
    });
  });
}

export const watchCommand = defineCommand({
  name: 'watch',
  summary: 'Print changes as they happen, until Ctrl-C',
  options: { json: jsonOption('One JSON object per change, a line each') },
  details: [
    'One line per change, made here or anywhere else (the web app, another terminal):',
    '  + added      3f2a9c1b  Buy milk\n  ✓ completed  3f2a9c1b  Buy milk\n  ✗ deleted    3f2a9c1b  Buy milk\n  (and ○ reopened, ~ renamed, ~ edited, ~ due, ~ priority)',
    'A bulk change (todo clear, complete all) is one "↻ reset" line. With --json, one JSON object per line: the event id, the type and the todo (or its id):',
    '  {"id":"12","type":"upsert","todo":{"id":"3f2a9c1b-…","title":"Buy milk",…}}\n  {"id":"13","type":"delete","todoId":"3f2a9c1b-…"}\n  {"id":"14","type":"reset"}   (fetch the whole list again)',
    'It reconnects by itself when the connection drops, and misses nothing in between.',
  ],
  /** The caller's change stream until Ctrl-C. */
  async run(context) {
    const { io, url, values } = context;
    if (context.args.length > 0) throw usageError('todo watch takes no arguments.');
    const { api } = await session(context);
    const interrupted = new AbortController();
    const stopListening = io.onInterrupt(() => interrupted.abort());
    try {
      const human = humanLines(api);
      // A first call says plainly when the server is away or the session has ended.
      if (values.json) await api.me.query();
      else await human.refetch();
      if (interrupted.signal.aborted) return;
      const toLine = values.json
        ? async (id: string, change: TodoChange) => JSON.stringify(jsonLine(id, change))
        : (_id: string, change: TodoChange) => human.line(change);
      await follow(api, io, url, toLine, interrupted.signal);
    } finally {
      stopListening();
    }
  },
});
