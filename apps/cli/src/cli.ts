import { parseArgs } from 'node:util';
import {
  createTodoClient,
  errorCode,
  type RouterOutputs,
  signIn,
  signOut,
  TodoAuthError,
  type TodoChange,
  TRPCClientError,
} from '@todo/client';
import { configPath, readConfig, writeConfig } from './config-store.ts';
import { describeChange, describeReset, describeTodo, formatTable, plural } from './format.ts';
import { ask, askHidden, readAll } from './prompt.ts';

type Todo = RouterOutputs['todo']['get'];
type Api = ReturnType<typeof createTodoClient>;

export type Io = {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Calls `stop` on Ctrl-C (SIGINT) or SIGTERM while a command that runs until then is waiting
   * (`todo watch`); returns the function that stops listening. */
  onInterrupt(stop: () => void): () => void;
};

/** Exit codes, so scripts can tell failures apart. */
export const EXIT = { ok: 0, error: 1, usage: 2, notSignedIn: 3, notFound: 4, unreachable: 5 } as const;

const DEFAULT_URL = 'http://localhost:3000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A failure already put in plain words, with the exit code that goes with it. */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const usageError = (message: string) => new CliError(`${message}\nSee \`todo --help\`.`, EXIT.usage);

const OPTIONS = {
  url: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  email: { type: 'string' },
  active: { type: 'boolean' },
  completed: { type: 'boolean' },
  search: { type: 'string' },
  description: { type: 'string' },
  json: { type: 'boolean' },
} as const;

type Values = {
  [name in keyof typeof OPTIONS]?: (typeof OPTIONS)[name]['type'] extends 'string' ? string : boolean;
};

type Context = {
  io: Io;
  url: string;
  values: Values;
  args: string[];
  /** The token the command used, once it has read one: only that one is forgotten when it is refused. */
  used: { token?: string };
};

type Command = {
  usage: string;
  summary: string;
  /** Options besides --url and --help. */
  options: (keyof typeof OPTIONS)[];
  details?: string;
  run(context: Context): Promise<void>;
};

const print = (io: Io, text: string) => io.stdout.write(`${text}\n`);

async function session(context: Context): Promise<{ api: Api; token: string }> {
  const path = configPath(context.io.env);
  const token = (await readConfig(path)).servers[context.url]?.token;
  if (!token)
    throw new CliError(`Not signed in to ${context.url}. Run \`todo login\` first.`, EXIT.notSignedIn);
  context.used.token = token;
  return { api: createTodoClient({ url: context.url, token }), token };
}

/**
 * Forgets the stored token of `url`; given `token`, only if it is still the stored one. (A
 * `todo watch` that started before a new `todo login` must not forget the new session.)
 */
async function forgetToken(io: Io, url: string, token?: string) {
  const path = configPath(io.env);
  const config = await readConfig(path);
  const stored = config.servers[url];
  if (!stored || (token !== undefined && stored.token !== token)) return;
  delete config.servers[url];
  await writeConfig(path, config);
}

/** Every todo matching the filter, oldest first, page by page. */
async function listAll(api: Api, input: { filter?: 'all' | 'active' | 'completed'; search?: string }) {
  const todos: Todo[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Todo[]; nextCursor: string | null } = await api.todo.list.query({
      ...input,
      order: 'oldest',
      limit: 100,
      cursor,
    });
    todos.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return todos;
}

/** Full ids are fetched; anything shorter is a prefix of exactly one of the user's todos. */
async function resolveTodos(api: Api, ids: string[]): Promise<Todo[]> {
  if (ids.length === 0) throw usageError('Give the id of a todo (as shown by `todo ls`).');
  let everything: Todo[] | undefined;
  const todos: Todo[] = [];
  for (const given of ids) {
    const id = given.toLowerCase();
    if (UUID.test(id)) {
      const todo = await api.todo.get.query({ id }).catch((error: unknown) => {
        throw errorCode(error) === 'NOT_FOUND'
          ? new CliError(`No todo with id ${given}.`, EXIT.notFound)
          : error;
      });
      todos.push(todo);
      continue;
    }
    if (!/^[0-9a-f-]{1,36}$/.test(id)) throw usageError(`"${given}" is not a todo id (see \`todo ls\`).`);
    everything ??= await listAll(api, {});
    const matches = everything.filter((todo) => todo.id.startsWith(id));
    if (matches.length === 0) throw new CliError(`No todo with an id starting with ${given}.`, EXIT.notFound);
    if (matches.length > 1) {
      throw new CliError(`${given} matches ${matches.length} todos; give more of the id.`, EXIT.usage);
    }
    todos.push(matches[0] as Todo);
  }
  return todos;
}

const setCompleted = (completed: boolean) => async (context: Context) => {
  const { api } = await session(context);
  for (const todo of await resolveTodos(api, context.args)) {
    const updated = await api.todo.update.mutate({ id: todo.id, completed });
    print(context.io, `${completed ? 'Completed' : 'Reopened'}: ${describeTodo(updated)}`);
  }
};

const COMMANDS: Record<string, Command> = {
  login: {
    usage: 'todo login [--email <email>]',
    summary: 'Sign in (asks for the password)',
    options: ['email'],
    details:
      'Asks for the email (unless --email is given) and the password on the terminal, without\n' +
      'echoing it. When stdin is not a terminal the password is read from it, for scripts:\n' +
      '  printf %s "$PASSWORD" | todo login --email me@example.com',
    async run({ io, url, values, args }) {
      if (args.length > 0) throw usageError('todo login takes no arguments.');
      const interactive = Boolean(io.stdin.isTTY);
      let email = values.email?.trim();
      if (!email) {
        if (!interactive) throw usageError('Give --email when the password comes from stdin.');
        email = await ask(io, 'Email: ');
      }
      const password = interactive
        ? await askHidden(io, 'Password: ')
        : (await readAll(io.stdin)).replace(/\r?\n$/, '');
      if (password === null) throw new CliError('Cancelled.', EXIT.error);
      if (!email || !password) throw usageError('Both an email and a password are needed.');

      const { token, user } = await signIn({ url, email, password });
      const path = configPath(io.env);
      const config = await readConfig(path);
      const previous = config.servers[url]?.token;
      config.servers[url] = { token, email: user.email };
      await writeConfig(path, config);
      // The session this login replaces should not live on, unused, on the server.
      if (previous && previous !== token) await signOut({ url, token: previous }).catch(() => {});
      print(io, `Signed in to ${url} as ${user.email}.`);
    },
  },

  logout: {
    usage: 'todo logout',
    summary: 'Sign out, ending the session on the server',
    options: [],
    async run({ io, url }) {
      const token = (await readConfig(configPath(io.env))).servers[url]?.token;
      if (!token) return void print(io, `Not signed in to ${url}.`);
      let error: unknown;
      // A session that has already ended is as good as signed out.
      await signOut({ url, token }).catch((reason: unknown) => {
        if (!(reason instanceof TodoAuthError && reason.status === 401)) error = reason;
      });
      await forgetToken(io, url);
      if (error) {
        io.stderr.write(
          'The token was forgotten here, but the server could not be told to end the session.\n',
        );
        throw error;
      }
      print(io, `Signed out of ${url}.`);
    },
  },

  add: {
    usage: 'todo add <title> [--description <text>]',
    summary: 'Add a todo',
    options: ['description'],
    details: 'Words after `add` make up the title: todo add Buy milk',
    async run(context) {
      const title = context.args.join(' ').trim();
      if (!title) throw usageError('Give the todo a title: todo add <title>');
      const { api } = await session(context);
      const todo = await api.todo.create.mutate({ title, description: context.values.description });
      print(context.io, `Added: ${describeTodo(todo)}`);
    },
  },

  ls: {
    usage: 'todo ls [--active | --completed] [--search <text>]',
    summary: 'List todos with short ids, oldest first',
    options: ['active', 'completed', 'search'],
    details: '--search matches the title or the description, ignoring case.',
    async run(context) {
      const { io, values } = context;
      if (context.args.length > 0) throw usageError('todo ls takes no arguments (did you mean --search?).');
      if (values.active && values.completed) throw usageError('Give --active or --completed, not both.');
      const filter = values.active ? 'active' : values.completed ? 'completed' : 'all';
      const { api } = await session(context);
      const [todos, counts] = await Promise.all([
        listAll(api, { filter, search: values.search || undefined }),
        api.todo.counts.query(),
      ]);
      const narrowed = filter !== 'all' || Boolean(values.search);
      if (todos.length === 0)
        print(io, narrowed ? 'No matching todos.' : 'No todos yet. Add one with `todo add <title>`.');
      else print(io, formatTable(todos));
      print(io, `\n${plural(counts.active, 'item')} left, ${counts.completed} completed.`);
    },
  },

  done: {
    usage: 'todo done <id>...',
    summary: 'Mark todos as completed',
    options: [],
    details: 'An id is the full id or any unique beginning of it, as shown by `todo ls`.',
    run: setCompleted(true),
  },

  undo: {
    usage: 'todo undo <id>...',
    summary: 'Mark todos as active again',
    options: [],
    details: 'An id is the full id or any unique beginning of it, as shown by `todo ls`.',
    run: setCompleted(false),
  },

  rm: {
    usage: 'todo rm <id>...',
    summary: 'Delete todos',
    options: [],
    details: 'An id is the full id or any unique beginning of it, as shown by `todo ls`.',
    async run(context) {
      const { api } = await session(context);
      for (const todo of await resolveTodos(api, context.args)) {
        await api.todo.delete.mutate({ id: todo.id });
        print(context.io, `Deleted: ${describeTodo(todo)}`);
      }
    },
  },

  clear: {
    usage: 'todo clear',
    summary: 'Delete all completed todos',
    options: [],
    async run(context) {
      if (context.args.length > 0) throw usageError('todo clear takes no arguments.');
      const { api } = await session(context);
      const { deleted } = await api.todo.clearCompleted.mutate();
      print(context.io, `Deleted ${plural(deleted, 'completed todo')}.`);
    },
  },

  watch: {
    usage: 'todo watch [--json]',
    summary: 'Print changes as they happen, until Ctrl-C',
    options: ['json'],
    details:
      'One line per change, made here or anywhere else (the web app, another terminal):\n' +
      '  + added      3f2a9c1b  Buy milk\n' +
      '  ✓ completed  3f2a9c1b  Buy milk\n' +
      '  ✗ deleted    3f2a9c1b  Buy milk\n' +
      '  (and ○ reopened, ~ renamed, ~ edited)\n' +
      'A bulk change (todo clear, complete all) is one "↻ reset" line.\n' +
      'With --json, one JSON object per line: the event id, the type and the todo (or its id):\n' +
      '  {"id":"12","type":"upsert","todo":{"id":"3f2a9c1b-…","title":"Buy milk",…}}\n' +
      '  {"id":"13","type":"delete","todoId":"3f2a9c1b-…"}\n' +
      '  {"id":"14","type":"reset"}   (fetch the whole list again)\n' +
      'It reconnects by itself when the connection drops, and misses nothing in between.',
    run: watch,
  },
};

/** `todo watch --json`'s line: the event id first; a deleted todo's id as `todoId`, not to clash with it. */
const jsonLine = (id: string, change: TodoChange) =>
  change.type === 'delete' ? { id, type: change.type, todoId: change.id } : { id, ...change };

/**
 * `todo watch`: the caller's change stream until Ctrl-C. The human format words each change
 * from the todo as it was before, so it keeps the list it fetched first and every change since.
 */
async function watch(context: Context): Promise<void> {
  const { io, url, values } = context;
  if (context.args.length > 0) throw usageError('todo watch takes no arguments.');
  const { api } = await session(context);
  const interrupted = new AbortController();
  const stopListening = io.onInterrupt(() => interrupted.abort());
  try {
    // A first call says plainly when the server is away or the session has ended.
    const known = new Map<string, Todo>();
    const refetch = async () => {
      const todos = await listAll(api, {});
      known.clear();
      for (const todo of todos) known.set(todo.id, todo);
      return todos;
    };
    if (values.json) await api.me.query();
    else await refetch();
    if (interrupted.signal.aborted) return;

    await new Promise<void>((resolve, reject) => {
      let connected = false;
      let lost = false;
      // Lines go out in the order the events came, also when a reset has to refetch first.
      let printed: Promise<void> = Promise.resolve();
      const fail = (error: unknown) => {
        subscription.unsubscribe();
        reject(error);
      };
      const subscription = api.todo.changes.subscribe(
        {},
        {
          onConnectionStateChange(state) {
            if (state.state === 'pending') {
              if (!connected) io.stderr.write(`Watching ${url} for changes. Press Ctrl-C to stop.\n`);
              else if (lost) io.stderr.write('Connected again.\n');
              connected = true;
              lost = false;
            } else if (state.state === 'connecting' && state.error && connected && !lost) {
              lost = true;
              io.stderr.write('Connection lost; reconnecting…\n');
            }
          },
          onData({ id, data: change }) {
            printed = printed
              .then(async () => {
                if (values.json) {
                  print(io, JSON.stringify(jsonLine(id, change)));
                  return;
                }
                if (change.type === 'reset') {
                  print(io, describeReset(await refetch()));
                  return;
                }
                const todoId = change.type === 'delete' ? change.id : change.todo.id;
                print(io, describeChange(change, known.get(todoId)));
                if (change.type === 'delete') known.delete(todoId);
                else known.set(todoId, change.todo);
              })
              .catch(fail);
          },
          onError: fail,
        },
      );
      interrupted.signal.addEventListener('abort', () => {
        subscription.unsubscribe();
        void printed.then(resolve);
      });
    });
  } finally {
    stopListening();
  }
}

const COMMON_OPTIONS = `Options:
  --url <url>   The server (default: $TODO_URL, else ${DEFAULT_URL})
  -h, --help    Show help`;

function mainHelp(): string {
  const width = Math.max(...Object.values(COMMANDS).map((command) => command.usage.length));
  const lines = Object.values(COMMANDS).map(
    (command) => `  ${command.usage.padEnd(width)}  ${command.summary}`,
  );
  return `todo: your todo list from the terminal.

Usage:
${lines.join('\n')}

${COMMON_OPTIONS}

Ids are the short ids shown by \`todo ls\` (any unique beginning of an id works).
The session token is kept in $XDG_CONFIG_HOME/todo/config.json (else ~/.config/todo/),
readable by you only.

Exit codes: 0 done, 1 failed, 2 wrong usage, 3 not signed in, 4 no such todo,
5 server unreachable. Run \`todo <command> --help\` for more on a command.`;
}

function commandHelp(command: Command): string {
  return `Usage: ${command.usage}\n\n${command.summary}.${command.details ? `\n\n${command.details}` : ''}\n\n${COMMON_OPTIONS}`;
}

const isUnreachable = (error: unknown) => {
  const cause = error instanceof TRPCClientError ? error.cause : error;
  return cause instanceof TypeError && /fetch failed/i.test(cause.message);
};

/** Any failure, in plain words with its exit code. */
async function explain(error: unknown, io: Io, url: string, token: string | undefined): Promise<CliError> {
  if (error instanceof CliError) return error;
  if (isUnreachable(error)) {
    return new CliError(
      `Cannot reach the server at ${url}. Is it running? (Choose another with --url or TODO_URL.)`,
      EXIT.unreachable,
    );
  }
  if (error instanceof TodoAuthError) {
    if (error.status === 401) return new CliError('Wrong email or password.', EXIT.error);
    if (error.status === 429)
      return new CliError('Too many attempts. Wait a minute, then try again.', EXIT.error);
    return new CliError(`The server refused: ${error.message}`, EXIT.error);
  }
  if (error instanceof TRPCClientError) {
    switch (errorCode(error)) {
      case 'UNAUTHORIZED':
        await forgetToken(io, url, token);
        return new CliError(`Your session at ${url} has ended. Run \`todo login\` again.`, EXIT.notSignedIn);
      case 'NOT_FOUND':
        return new CliError('No such todo.', EXIT.notFound);
      case 'BAD_REQUEST':
        return new CliError(`Not accepted: ${error.message}`, EXIT.usage);
      case 'TOO_MANY_REQUESTS':
        return new CliError('Too many requests. Wait a little, then try again.', EXIT.error);
      case undefined:
        return new CliError(`${url} did not answer like a todo server: ${error.message}`, EXIT.error);
      default:
        return new CliError(`The server failed: ${error.message}`, EXIT.error);
    }
  }
  return new CliError(error instanceof Error ? error.message : String(error), EXIT.error);
}

function serverUrl(given: string | undefined, env: NodeJS.ProcessEnv): string {
  const raw = given ?? (env.TODO_URL || DEFAULT_URL);
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {}
  throw usageError(`"${raw}" is not an http(s) URL (from ${given ? '--url' : 'TODO_URL'}).`);
}

/**
 * Runs one `todo` command and returns its exit code. Results go to stdout, prompts and errors
 * to stderr.
 */
export async function runCli(argv: string[], io: Io): Promise<number> {
  let url = DEFAULT_URL;
  const used: Context['used'] = {};
  try {
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
      throw usageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    const [name, ...args] = positionals;
    if (name === 'help' || (!name && values.help)) {
      const topic = name === 'help' ? args[0] : undefined;
      const command = topic ? COMMANDS[topic] : undefined;
      if (topic && !command) throw usageError(`There is no command "${topic}".`);
      print(io, command ? commandHelp(command) : mainHelp());
      return EXIT.ok;
    }
    if (!name) {
      io.stderr.write(`${mainHelp()}\n`);
      return EXIT.usage;
    }
    const command = COMMANDS[name];
    if (!command) throw usageError(`There is no command "${name}".`);
    if (values.help) {
      print(io, commandHelp(command));
      return EXIT.ok;
    }
    const allowed = new Set<string>(['url', 'help', ...command.options]);
    const extra = Object.keys(values).filter((option) => !allowed.has(option));
    if (extra.length > 0) throw usageError(`todo ${name} does not take --${extra.join(', --')}.`);

    url = serverUrl(values.url, io.env);
    await command.run({ io, url, values, args, used });
    return EXIT.ok;
  } catch (error) {
    const failure = await explain(error, io, url, used.token);
    io.stderr.write(`todo: ${failure.message}\n`);
    return failure.exitCode;
  }
}
