import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Context, Io } from './command.ts';
import { findCommand } from './commands/index.ts';
import { EXIT, explain, usageError } from './errors.ts';
import { commandHelp, DEFAULT_URL, mainHelp } from './help.ts';
import { OPTIONS, type Values } from './options.ts';
import { print } from './output.ts';

export type { Io } from './command.ts';
export { EXIT } from './errors.ts';

/** The version in apps/cli/package.json. */
const version = () =>
  (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;

function serverUrl(given: string | undefined, env: NodeJS.ProcessEnv): string {
  const raw = given ?? (env.TODO_URL || DEFAULT_URL);
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {}
  throw usageError(`"${raw}" is not an http(s) URL (from ${given ? '--url' : 'TODO_URL'}).`);
}

function parse(argv: string[]): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

/**
 * Runs one `todo` command and returns its exit code. Results go to stdout, prompts and errors
 * to stderr.
 *
 * @example
 * process.exitCode = await runCli(['ls', '--json'], { env: process.env, stdin: process.stdin, … });
 */
export async function runCli(argv: string[], io: Io): Promise<number> {
  let url = DEFAULT_URL;
  const used: Context['used'] = {};
  try {
    const { values, positionals } = parse(argv);
    const [name, ...args] = positionals;
    if (!name && values.version) {
      print(io, version());
      return EXIT.ok;
    }
    if (name === 'help' || (!name && values.help)) {
      const topic = name === 'help' ? args[0] : undefined;
      const command = topic ? findCommand(topic) : undefined;
      if (topic && !command) throw usageError(`There is no command "${topic}".`);
      print(io, command ? commandHelp(command) : mainHelp());
      return EXIT.ok;
    }
    if (!name) {
      io.stderr.write(`${mainHelp()}\n`);
      return EXIT.usage;
    }
    const command = findCommand(name);
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
    const failure = await explain(error, io.env, url, used.token);
    io.stderr.write(`todo: ${failure.message}\n`);
    return failure.exitCode;
  }
}
