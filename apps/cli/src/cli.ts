import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  changePassword,
  createTodoClient,
  errorCode,
  type RouterOutputs,
  signIn,
  signOut,
  signUp,
  TodoAuthError,
  type TodoChange,
  TRPCClientError,
} from '@todo/client';
import { configPath, readConfig, writeConfig } from './config-store.ts';
import { isPriority, PRIORITIES, type Priority, parseDue } from './due.ts';
import {
  describeChange,
  describeReset,
  describeTodo,
  formatTable,
  formatTodo,
  formatUser,
  plural,
} from './format.ts';
import { ask, askHidden, askYesNo, readAll } from './prompt.ts';

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

/** Exit codes, so scripts can tell failures apart (130 as a shell reports Ctrl-C). */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  notSignedIn: 3,
  notFound: 4,
  unreachable: 5,
  cancelled: 130,
} as const;

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
  version: { type: 'boolean' },
  name: { type: 'string' },
  email: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'sign-out-others': { type: 'boolean' },
  active: { type: 'boolean' },
  completed: { type: 'boolean' },
  search: { type: 'string' },
  title: { type: 'string' },
  description: { type: 'string' },
  due: { type: 'string' },
  priority: { type: 'string' },
  sort: { type: 'string' },
  after: { type: 'string' },
  top: { type: 'boolean' },
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
/** `--json` output: one JSON value on one line. */
const printJson = (io: Io, value: unknown) => print(io, JSON.stringify(value));

/** The version in apps/cli/package.json. */
const version = () =>
  (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;

const cancelled = () => new CliError('Cancelled.', EXIT.cancelled);

/** The answer to a prompt; Ctrl-C ends the command. */
const answered = <T>(answer: T | null): T => {
  if (answer === null) throw cancelled();
  return answer;
};

const isLoopback = (hostname: string) =>
  hostname === 'localhost' ||
  hostname.endsWith('.localhost') ||
  hostname === '[::1]' ||
  /^127(\.\d{1,3}){3}$/.test(hostname);

/**
 * Before a password goes over plain http to another machine: a warning, then a yes/no
 * question whose default is no. A script (no terminal to ask on) must say --yes.
 */
async function confirmPlainHttp({ io, url, values }: Context) {
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'http:' || isLoopback(hostname)) return;
  io.stderr.write(
    `todo: warning: ${url} is plain http; your password would cross the network unencrypted (use https).\n`,
  );
  if (values.yes) return;
  if (!io.stdin.isTTY) throw usageError('Give --yes to send a password over plain http anyway.');
  const go = answered(await askYesNo(io, `Send your password to ${hostname} unencrypted?`));
  if (!go) throw new CliError('Nothing was sent.', EXIT.error);
}

/** The password(s) a command needs: asked on a terminal, else one per line of stdin. */
async function readPasswords(io: Io, questions: string[]): Promise<string[]> {
  if (io.stdin.isTTY) {
    const answers: string[] = [];
    for (const question of questions) answers.push(answered(await askHidden(io, question)));
    return answers;
  }
  const lines = (await readAll(io.stdin)).split(/\r?\n/);
  return questions.map((_, index) => lines[index] ?? '');
}

/** Keeps the session token of `url` for the commands that follow. */
async function storeToken(io: Io, url: string, token: string, email: string) {
  const path = configPath(io.env);
  const config = await readConfig(path);
  const previous = config.servers[url]?.token;
  config.servers[url] = { token, email };
  await writeConfig(path, config);
  return previous;
}

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

const SORTS = ['manual', 'due', 'priority', 'newest', 'oldest'] as const;
type Sort = (typeof SORTS)[number];

/** Every todo matching the filter, in the given order (the owner's manual order unless told), page by page. */
async function listAll(
  api: Api,
  input: { filter?: 'all' | 'active' | 'completed'; search?: string; order?: Sort },
) {
  const todos: Todo[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Todo[]; nextCursor: string | null } = await api.todo.list.query({
      order: 'manual',
      ...input,
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

/** The one todo a command is about (`todo show <id>`). */
async function resolveOne(context: Context, api: Api): Promise<Todo> {
  if (context.args.length > 1) throw usageError('Give one todo id.');
  return (await resolveTodos(api, context.args))[0] as Todo;
}

const setCompleted = (completed: boolean) => async (context: Context) => {
  const { api } = await session(context);
  const todos: Todo[] = [];
  for (const todo of await resolveTodos(api, context.args)) {
    const updated = await api.todo.update.mutate({ id: todo.id, completed });
    todos.push(updated);
    if (!context.values.json)
      print(context.io, `${completed ? 'Completed' : 'Reopened'}: ${describeTodo(updated)}`);
  }
  if (context.values.json) printJson(context.io, { todos });
};

const oneOf = (names: readonly string[]) => `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;

/** `--due`: a date in local time, or "none" (no due date). */
async function dueOption(value: string | undefined): Promise<string | null | undefined> {
  if (value === undefined) return undefined;
  if (value.trim().toLowerCase() === 'none') return null;
  const due = await parseDue(value);
  if (!due)
    throw usageError(`--due "${value}" is not a date. Try 2026-12-24, tomorrow, "friday 17:00" or none.`);
  return due.toISOString();
}

function priorityOption(value: string | undefined): Priority | undefined {
  if (value === undefined) return undefined;
  if (!isPriority(value)) throw usageError(`--priority must be ${oneOf(PRIORITIES)}, not "${value}".`);
  return value;
}

function sortOption(value: string | undefined): Sort {
  if (value === undefined) return 'manual';
  if (!(SORTS as readonly string[]).includes(value))
    throw usageError(`--sort must be ${oneOf(SORTS)}, not "${value}".`);
  return value as Sort;
}

/** Colour only on a terminal, and never when NO_COLOR is set (no-color.org). */
const useColor = (io: Io) => Boolean((io.stdout as { isTTY?: boolean }).isTTY) && !io.env.NO_COLOR;

const DUE_DETAILS =
  '--due takes a date in local time: 2026-12-24, tomorrow, friday, "friday 17:00", "in 3 days",\n' +
  '"dec 24 5pm". A date without a time is due all day. --priority is none, low, medium or high.';

const ID_DETAILS = 'An id is the full id or any unique beginning of it, as shown by `todo ls`.';
const PASSWORD_FROM_STDIN = '\nWhen stdin is not a terminal the password is read from it, for scripts:\n';
const PLAIN_HTTP = 'Over plain http to another machine it warns and asks first; --yes sends without asking.';

const COMMANDS: Record<string, Command> = {
  signup: {
    usage: 'todo signup [--name <name>] [--email <email>]',
    summary: 'Create an account and sign in',
    options: ['name', 'email', 'yes'],
    details:
      'Asks for what is not given, and the password twice, masked.' +
      PASSWORD_FROM_STDIN +
      '  printf %s "$PASSWORD" | todo signup --name Ada --email ada@example.com\n' +
      'When the server wants the address verified first, it says so and signs in nothing:\n' +
      'follow the link in the mail, then `todo login`.\n' +
      PLAIN_HTTP,
    async run(context) {
      const { io, url, values, args } = context;
      if (args.length > 0) throw usageError('todo signup takes no arguments.');
      const interactive = Boolean(io.stdin.isTTY);
      let name = values.name?.trim();
      let email = values.email?.trim();
      if ((!name || !email) && !interactive)
        throw usageError('Give --name and --email when the password comes from stdin.');
      await confirmPlainHttp(context);
      name ||= answered(await ask(io, 'Name'));
      email ||= answered(await ask(io, 'Email'));
      const [password, again] = await readPasswords(
        io,
        interactive ? ['Password', 'Password again'] : ['Password'],
      );
      if (!name || !email || !password) throw usageError('A name, an email and a password are needed.');
      if (interactive && password !== again) throw usageError('The two passwords differ; nothing was sent.');

      const { token, user } = await signUp({ url, name, email, password });
      if (!token) {
        print(
          io,
          `Account created for ${user.email}. Follow the link in the mail sent to it, then \`todo login\`.`,
        );
        return;
      }
      const previous = await storeToken(io, url, token, user.email);
      if (previous && previous !== token) await signOut({ url, token: previous }).catch(() => {});
      print(io, `Account created. Signed in to ${url} as ${user.email}.`);
    },
  },

  login: {
    usage: 'todo login [--email <email>]',
    summary: 'Sign in (asks for the password)',
    options: ['email', 'yes'],
    details:
      'Asks for the email (unless --email is given) and the password, masked.' +
      PASSWORD_FROM_STDIN +
      '  printf %s "$PASSWORD" | todo login --email me@example.com\n' +
      PLAIN_HTTP,
    async run(context) {
      const { io, url, values, args } = context;
      if (args.length > 0) throw usageError('todo login takes no arguments.');
      let email = values.email?.trim();
      if (!email && !io.stdin.isTTY) throw usageError('Give --email when the password comes from stdin.');
      await confirmPlainHttp(context);
      email ||= answered(await ask(io, 'Email'));
      const [password] = await readPasswords(io, ['Password']);
      if (!email || !password) throw usageError('Both an email and a password are needed.');

      const { token, user } = await signIn({ url, email, password });
      const previous = await storeToken(io, url, token, user.email);
      // The session this login replaces should not live on, unused, on the server.
      if (previous && previous !== token) await signOut({ url, token: previous }).catch(() => {});
      print(io, `Signed in to ${url} as ${user.email}.`);
    },
  },

  logout: {
    usage: 'todo logout',
    summary: 'Sign out, ending the session',
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

  whoami: {
    usage: 'todo whoami',
    summary: 'Show who is signed in, and where',
    options: ['json'],
    details: 'With --json: {"url":…,"user":{"id":…,"email":…,"name":…,"createdAt":…}}',
    async run(context) {
      if (context.args.length > 0) throw usageError('todo whoami takes no arguments.');
      const { api } = await session(context);
      const user = await api.me.query();
      if (context.values.json) printJson(context.io, { url: context.url, user });
      else print(context.io, formatUser(user, context.url));
    },
  },

  passwd: {
    usage: 'todo passwd [--sign-out-others]',
    summary: 'Change your password',
    options: ['sign-out-others', 'yes'],
    details:
      'Asks for the current password, then the new one twice, masked. With --sign-out-others\n' +
      'every other session (other terminals, browsers) ends; this one goes on.\n' +
      'When stdin is not a terminal it reads the current password, then the new one, one a line.\n' +
      PLAIN_HTTP,
    async run(context) {
      const { io, url, values, args } = context;
      if (args.length > 0) throw usageError('todo passwd takes no arguments.');
      const { token } = await session(context);
      await confirmPlainHttp(context);
      const interactive = Boolean(io.stdin.isTTY);
      const [currentPassword, newPassword, again] = await readPasswords(
        io,
        interactive ? ['Current password', 'New password', 'New password again'] : ['Current', 'New'],
      );
      if (!currentPassword || !newPassword)
        throw usageError('Both the current and a new password are needed.');
      if (interactive && newPassword !== again)
        throw usageError('The two new passwords differ; nothing was changed.');

      const revokeOtherSessions = Boolean(values['sign-out-others']);
      const changed = await changePassword({
        url,
        token,
        currentPassword,
        newPassword,
        revokeOtherSessions,
      }).catch(async (error: unknown) => {
        if (error instanceof TodoAuthError && error.code === 'INVALID_PASSWORD')
          throw new CliError('The current password is wrong; nothing was changed.', EXIT.error);
        if (error instanceof TodoAuthError && error.status === 401) throw await sessionEnded(io, url, token);
        throw error;
      });
      // Signing the others out ends this session too, and hands back the one that replaces it.
      if (changed.token) {
        const stored = (await readConfig(configPath(io.env))).servers[url];
        await storeToken(io, url, changed.token, stored?.email ?? '');
      }
      print(
        io,
        revokeOtherSessions ? 'Password changed. Every other session is signed out.' : 'Password changed.',
      );
    },
  },

  add: {
    usage: 'todo add <title> [--due …] [--priority …] [--description …]',
    summary: 'Add a todo',
    options: ['description', 'due', 'priority', 'json'],
    details:
      'Words after `add` make up the title: todo add Buy milk --due tomorrow\n' +
      `${DUE_DETAILS}\nWith --json: the new todo.`,
    async run(context) {
      const { values } = context;
      const title = context.args.join(' ').trim();
      if (!title) throw usageError('Give the todo a title: todo add <title>');
      const dueAt = await dueOption(values.due);
      const priority = priorityOption(values.priority);
      const { api } = await session(context);
      const todo = await api.todo.create.mutate({ title, description: values.description, dueAt, priority });
      if (context.values.json) printJson(context.io, todo);
      else print(context.io, `Added: ${describeTodo(todo)}`);
    },
  },

  ls: {
    usage: 'todo ls [--active|--completed] [--search …] [--sort …]',
    summary: 'List todos with short ids',
    options: ['active', 'completed', 'search', 'sort', 'json'],
    details:
      '--search matches the title or the description, ignoring case.\n' +
      '--sort is manual (your own order, as in the web app; the default), due (soonest first, none\n' +
      'last), priority (high first), newest or oldest. Due dates are local; "!" marks an overdue one.\n' +
      'With --json: {"todos":[…],"counts":{"all":…,"active":…,"completed":…}}, the todos in that\n' +
      'order and the counts of the whole list.',
    async run(context) {
      const { io, values } = context;
      if (context.args.length > 0) throw usageError('todo ls takes no arguments (did you mean --search?).');
      if (values.active && values.completed) throw usageError('Give --active or --completed, not both.');
      const filter = values.active ? 'active' : values.completed ? 'completed' : 'all';
      const order = sortOption(values.sort);
      const { api } = await session(context);
      const [todos, counts] = await Promise.all([
        listAll(api, { filter, search: values.search || undefined, order }),
        api.todo.counts.query(),
      ]);
      if (values.json) return void printJson(io, { todos, counts });
      const narrowed = filter !== 'all' || Boolean(values.search);
      if (todos.length === 0)
        print(io, narrowed ? 'No matching todos.' : 'No todos yet. Add one with `todo add <title>`.');
      else print(io, formatTable(todos, { now: new Date(), color: useColor(io) }));
      print(io, `\n${plural(counts.active, 'item')} left, ${counts.completed} completed.`);
    },
  },

  show: {
    usage: 'todo show <id>',
    summary: 'Show a todo in full, description included',
    options: ['json'],
    details: `${ID_DETAILS}\nDates and times are local. With --json: the todo.`,
    async run(context) {
      const { api } = await session(context);
      const todo = await resolveOne(context, api);
      if (context.values.json) printJson(context.io, todo);
      else print(context.io, formatTodo(todo));
    },
  },

  edit: {
    usage: 'todo edit <id> [--title …] [--description …] [--due …] [--priority …]',
    summary: 'Change the title, description, due date or priority',
    options: ['title', 'description', 'due', 'priority', 'json'],
    details:
      `${ID_DETAILS}\n${DUE_DETAILS}\n` +
      '--due none removes the due date, --description "" the description.\n' +
      'With --json: the todo as edited.',
    async run(context) {
      const { io, values } = context;
      if ([values.title, values.description, values.due, values.priority].every((v) => v === undefined))
        throw usageError('Give --title, --description, --due or --priority.');
      const dueAt = await dueOption(values.due);
      const priority = priorityOption(values.priority);
      const { api } = await session(context);
      const todo = await resolveOne(context, api);
      const updated = await api.todo.update.mutate({
        id: todo.id,
        title: values.title,
        description: values.description === '' ? null : values.description,
        dueAt,
        priority,
      });
      if (values.json) printJson(io, updated);
      else print(io, `Edited: ${describeTodo(updated)}`);
    },
  },

  mv: {
    usage: 'todo mv <id> (--after <id> | --top)',
    summary: 'Move a todo in your own order',
    options: ['after', 'top', 'json'],
    details:
      `${ID_DETAILS}\nThe order is the one \`todo ls\` and the web app show by default (--sort manual).\n` +
      'With --json: the moved todo.',
    async run(context) {
      const { io, values, args } = context;
      if ((values.after === undefined) === !values.top) throw usageError('Give --after <id> or --top.');
      if (args.length !== 1) throw usageError('Give one todo id: todo mv <id> --after <id>');
      const { api } = await session(context);
      const [todo, after] = await resolveTodos(
        api,
        values.after === undefined ? args : [...args, values.after],
      );
      if (after && after.id === todo?.id) throw usageError('A todo cannot go after itself.');
      const moved = await api.todo.move.mutate({ id: (todo as Todo).id, afterId: after?.id ?? null });
      if (values.json) printJson(io, moved);
      else if (after) print(io, `Moved: ${describeTodo(moved)}, after ${describeTodo(after)}`);
      else print(io, `Moved to the top: ${describeTodo(moved)}`);
    },
  },

  done: {
    usage: 'todo done <id>...',
    summary: 'Mark todos as completed',
    options: ['json'],
    details: `${ID_DETAILS}\nWith --json: {"todos":[…]}, each as it is now.`,
    run: setCompleted(true),
  },

  reopen: {
    usage: 'todo reopen <id>...',
    summary: 'Mark todos as active again (or: undo)',
    options: ['json'],
    details: `${ID_DETAILS}\nWith --json: {"todos":[…]}, each as it is now.`,
    run: setCompleted(false),
  },

  rm: {
    usage: 'todo rm <id>...',
    summary: 'Delete todos',
    options: ['json'],
    details: `${ID_DETAILS}\nWith --json: {"deleted":[…]}, each todo as it was.`,
    async run(context) {
      const { api } = await session(context);
      const deleted: Todo[] = [];
      for (const todo of await resolveTodos(api, context.args)) {
        await api.todo.delete.mutate({ id: todo.id });
        deleted.push(todo);
        if (!context.values.json) print(context.io, `Deleted: ${describeTodo(todo)}`);
      }
      if (context.values.json) printJson(context.io, { deleted });
    },
  },

  clear: {
    usage: 'todo clear',
    summary: 'Delete all completed todos',
    options: ['json'],
    details: 'With --json: {"deleted":<how many>}.',
    async run(context) {
      if (context.args.length > 0) throw usageError('todo clear takes no arguments.');
      const { api } = await session(context);
      const { deleted } = await api.todo.clearCompleted.mutate();
      if (context.values.json) printJson(context.io, { deleted });
      else print(context.io, `Deleted ${plural(deleted, 'completed todo')}.`);
    },
  },

  export: {
    usage: 'todo export',
    summary: 'All your data as JSON (> mine.json)',
    options: ['json'],
    details:
      'The account and every todo: {"exportedAt":…,"user":{…},"todos":[…]}. `todo import` (here or\n' +
      'on another server) reads the file back. The output is JSON with or without --json.',
    async run(context) {
      if (context.args.length > 0)
        throw usageError('todo export takes no arguments (redirect its output: > mine.json).');
      const { api } = await session(context);
      print(context.io, JSON.stringify(await api.account.export.query(), null, 2));
    },
  },

  import: {
    usage: 'todo import <file>',
    summary: 'Add the todos of an export file',
    options: ['json'],
    details:
      'Reads a file made by `todo export` (or - for stdin) and adds its todos with their ids,\n' +
      'titles, descriptions, completion and creation times. A todo whose id exists already is\n' +
      'skipped, so importing twice adds nothing new. A bad file changes nothing.\n' +
      'With --json: {"added":…,"skipped":…}.',
    async run(context) {
      const { io, args } = context;
      const [file] = args;
      if (!file || args.length > 1) throw usageError('Give one file: todo import mine.json');
      let text: string;
      try {
        text = file === '-' ? await readAll(io.stdin) : await readFile(file, 'utf8');
      } catch (error) {
        throw new CliError(`Cannot read ${file}: ${(error as Error).message}`, EXIT.usage);
      }
      let content: unknown;
      try {
        content = JSON.parse(text);
      } catch (error) {
        throw new CliError(`${file} is not JSON (${(error as Error).message}).`, EXIT.usage);
      }
      const { api } = await session(context);
      const result = await api.account.import.mutate(
        content as Parameters<Api['account']['import']['mutate']>[0],
      );
      if (context.values.json) printJson(io, result);
      else print(io, `Imported ${plural(result.added, 'todo')}; skipped ${result.skipped} already there.`);
    },
  },

  watch: {
    usage: 'todo watch',
    summary: 'Print changes as they happen, until Ctrl-C',
    options: ['json'],
    details:
      'One line per change, made here or anywhere else (the web app, another terminal):\n' +
      '  + added      3f2a9c1b  Buy milk\n' +
      '  ✓ completed  3f2a9c1b  Buy milk\n' +
      '  ✗ deleted    3f2a9c1b  Buy milk\n' +
      '  (and ○ reopened, ~ renamed, ~ edited, ~ due, ~ priority)\n' +
      'A bulk change (todo clear, complete all) is one "↻ reset" line.\n' +
      'With --json, one JSON object per line: the event id, the type and the todo (or its id):\n' +
      '  {"id":"12","type":"upsert","todo":{"id":"3f2a9c1b-…","title":"Buy milk",…}}\n' +
      '  {"id":"13","type":"delete","todoId":"3f2a9c1b-…"}\n' +
      '  {"id":"14","type":"reset"}   (fetch the whole list again)\n' +
      'It reconnects by itself when the connection drops, and misses nothing in between.',
    run: watch,
  },
};

/** Other names a command answers to. */
const ALIASES: Record<string, string> = { undo: 'reopen' };

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
                // A list's own events (made, renamed, shared, left) change no todo shown here.
                if (change.type === 'list' || change.type === 'listRemoved') return;
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

const OPTION_HELP = {
  url: `  --url <url>   The server (default: $TODO_URL, else ${DEFAULT_URL})`,
  json: '  --json        Print data as JSON (its shape: todo <command> --help)',
  yes: '  -y, --yes     Send a password over plain http without asking',
  help: '  -h, --help    Show help',
  version: '  --version     Print the version',
};
const COMMON_OPTIONS = `Options:\n${[OPTION_HELP.url, OPTION_HELP.json, OPTION_HELP.help, OPTION_HELP.version].join('\n')}`;

const USAGE_WIDTH = 50;

function mainHelp(): string {
  // A usage too long to share its line with the summary has the summary on the next one.
  const usages = Object.values(COMMANDS).map((command) => command.usage);
  const width = Math.max(
    ...usages.filter((usage) => usage.length <= USAGE_WIDTH).map((usage) => usage.length),
  );
  const lines = Object.values(COMMANDS).map((command) =>
    command.usage.length <= width
      ? `  ${command.usage.padEnd(width)}  ${command.summary}`
      : `  ${command.usage}\n  ${' '.repeat(width)}  ${command.summary}`,
  );
  return `todo: your todo list from the terminal.

Usage:
${lines.join('\n')}

${COMMON_OPTIONS}

Ids are the short ids shown by \`todo ls\` (any unique beginning of an id works).
The session token is kept in $XDG_CONFIG_HOME/todo/config.json (else ~/.config/todo/),
readable by you only.

Exit codes: 0 done, 1 failed, 2 wrong usage, 3 not signed in, 4 no such todo,
5 server (or its database) unreachable, 130 cancelled (Ctrl-C). Run \`todo <command> --help\` for more on a command.`;
}

function commandHelp(command: Command): string {
  const options = [
    OPTION_HELP.url,
    ...(command.options.includes('json') ? [OPTION_HELP.json] : []),
    ...(command.options.includes('yes') ? [OPTION_HELP.yes] : []),
    OPTION_HELP.help,
  ];
  return `Usage: ${command.usage}\n\n${command.summary}.${command.details ? `\n\n${command.details}` : ''}\n\nOptions:\n${options.join('\n')}`;
}

const isUnreachable = (error: unknown) => {
  const cause = error instanceof TRPCClientError ? error.cause : error;
  return cause instanceof TypeError && /fetch failed/i.test(cause.message);
};

/** The session's token was refused: forget it (if it is still the stored one), and say so. */
async function sessionEnded(io: Io, url: string, token: string | undefined): Promise<CliError> {
  await forgetToken(io, url, token);
  return new CliError(`Your session at ${url} has ended. Run \`todo login\` again.`, EXIT.notSignedIn);
}

/** Any failure, in plain words with its exit code. */
async function explain(error: unknown, io: Io, url: string, token: string | undefined): Promise<CliError> {
  if (error instanceof CliError) return error;
  if (isUnreachable(error)) {
    return new CliError(
      `Cannot reach the server at ${url}. Is it running? (Choose another with --url or TODO_URL.)`,
      EXIT.unreachable,
    );
  }
  // 503: the server runs but cannot reach its database. Nothing was done; later, it will be.
  if (
    errorCode(error) === 'SERVICE_UNAVAILABLE' ||
    (error instanceof TodoAuthError && error.status === 503)
  ) {
    return new CliError(
      `The server at ${url} cannot reach its database; try again in a moment.`,
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
        return sessionEnded(io, url, token);
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
    if (!name && values.version) {
      print(io, version());
      return EXIT.ok;
    }
    if (name === 'help' || (!name && values.help)) {
      const topic = name === 'help' ? args[0] : undefined;
      const command = topic ? COMMANDS[ALIASES[topic] ?? topic] : undefined;
      if (topic && !command) throw usageError(`There is no command "${topic}".`);
      print(io, command ? commandHelp(command) : mainHelp());
      return EXIT.ok;
    }
    if (!name) {
      io.stderr.write(`${mainHelp()}\n`);
      return EXIT.usage;
    }
    const command = COMMANDS[ALIASES[name] ?? name];
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
