import type { TodoChange } from '@todo/client';
import { defineCommand, type Io } from '../command.ts';
import { usageError } from '../errors.ts';
import { type Outcome, watchedList } from '../list-watch.ts';
import { jsonOption, LIST_OPTION } from '../options.ts';
import { print } from '../output.ts';
import { type List, quoted, resolveList } from '../resolve-lists.ts';
import { type Api, session } from '../session.ts';

/** Says on stderr when the stream of `what` (the server, or a list there) starts, drops and comes back. */
function connectionNotes(io: Io, what: string) {
  let connected = false;
  let lost = false;
  return (state: { state: string; error?: unknown }) => {
    if (state.state === 'pending') {
      if (!connected) io.stderr.write(`Watching ${what} for changes. Press Ctrl-C to stop.\n`);
      else if (lost) io.stderr.write('Connected again.\n');
      connected = true;
      lost = false;
    } else if (state.state === 'connecting' && state.error && connected && !lost) {
      lost = true;
      io.stderr.write('Connection lost; reconnecting…\n');
    }
  };
}

/**
 * Prints what each change comes to until `signal` aborts; rejects when the stream fails for
 * good, or when an event ends the watch (the list is gone), once its lines are out.
 */
function follow(
  api: Api,
  io: Io,
  what: string,
  take: (id: string, change: TodoChange) => Promise<Outcome>,
  signal: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // Lines go out in the order the events came, also when a reset has to refetch first.
    let printed: Promise<void> = Promise.resolve();
    let ended = false;
    const fail = (error: unknown) => {
      ended = true;
      subscription.unsubscribe();
      reject(error);
    };
    const subscription = api.todo.changes.subscribe(
      {},
      {
        onConnectionStateChange: connectionNotes(io, what),
        onData({ id, data: change }) {
          printed = printed
            .then(async () => {
              if (ended) return;
              const { lines, end } = await take(id, change);
              for (const line of lines) print(io, line);
              if (end) throw end;
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

/** The list to watch: the one --list names, else the Inbox; and all of the caller's lists. */
async function target(api: Api, given: string | undefined): Promise<{ list: List; lists: List[] }> {
  const { lists } = await api.list.all.query();
  const list = given === undefined ? lists.find((each) => each.isInbox) : await resolveList(api, given);
  if (!list) throw new Error('the server listed no Inbox');
  return { list, lists };
}

export const watchCommand = defineCommand({
  name: 'watch',
  summary: "Print a list's changes as they happen",
  options: { list: LIST_OPTION, json: jsonOption('One JSON object per change, a line each') },
  details: [
    'One line per change to the list (your Inbox unless --list names another), made here or anywhere else (the web app, another terminal, another member of a shared list):',
    '  + added      3f2a9c1b  Buy milk\n  ✓ completed  3f2a9c1b  Buy milk\n  ✗ deleted    3f2a9c1b  Buy milk\n  (and ○ reopened, ~ renamed, ~ edited, ~ due, ~ priority, → moved)',
    'A bulk change (todo clear, complete all) is one "↻ reset" line. The list\'s own changes show too (~ renamed, ~ role, ~ members). When the list is deleted, or you leave it or are removed, it says so and stops, with exit code 4.',
    'With --json, one JSON object per line: the event id, the type and the todo (or its id):',
    '  {"id":"12","type":"upsert","todo":{"id":"3f2a9c1b-…","title":"Buy milk",…}}\n  {"id":"13","type":"delete","todoId":"3f2a9c1b-…","listId":"…"}\n  {"id":"14","type":"reset"}   (fetch the whole list again)\n  {"id":"15","type":"list","list":{…}}\n  {"id":"16","type":"listRemoved","listId":"…"}',
    'It reconnects by itself when the connection drops, and misses nothing in between.',
  ],
  /** The caller's change stream, for one list, until Ctrl-C or until the list is gone. */
  async run(context) {
    const { io, url, values } = context;
    if (context.args.length > 0) throw usageError('todo watch takes no arguments (did you mean --list?).');
    const { api } = await session(context);
    const interrupted = new AbortController();
    const stopListening = io.onInterrupt(() => interrupted.abort());
    try {
      // These first calls also say plainly when the server is away or the session has ended.
      const { list, lists } = await target(api, values.list);
      const watched = watchedList(api, list, lists, Boolean(values.json));
      await watched.refetch();
      if (interrupted.signal.aborted) return;
      const what = values.list === undefined ? url : `${quoted(list)} at ${url}`;
      await follow(api, io, what, watched.take, interrupted.signal);
    } finally {
      stopListening();
    }
  },
});
