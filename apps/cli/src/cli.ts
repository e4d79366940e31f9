import { readFileSync } from 'node:fs';
import { commandName, commandWords, optionsOf, parseArguments, TOP_OPTIONS } from './arguments.ts';
import type { Command, Context, Io } from './command.ts';
import { findCommand } from './commands/index.ts';
import { EXIT, explain, usageError } from './errors.ts';
import { commandHelp, mainHelp } from './help.ts';
import { DEFAULT_URL } from './options.ts';
import { print } from './output.ts';

export type { Io } from './command.ts';
export { EXIT } from './errors.ts';

/** The version in apps/cli/package.json. */
const version = () =>
  (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;

function serverUrl(given: string | boolean | undefined, env: NodeJS.ProcessEnv): string {
  const raw = typeof given === 'string' ? given : env.TODO_URL || DEFAULT_URL;
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {}
  throw usageError(`"${raw}" is not an http(s) URL (from ${given ? '--url' : 'TODO_URL'}).`);
}

const noSuchCommand = (name: string) =>
  usageError(`There is no command "${name}" (see \`todo --help\` for the list).`);

/**
 * The command that `words` name: a command, or the subcommand its next word names (`list add`),
 * with how many words named it. `todo list` alone is the parent, for its help.
 */
function commandOf(words: string[]): { command: Command; depth: number } {
  const [name = '', word] = words;
  const command = findCommand(name);
  if (!command) throw noSuchCommand(name);
  if (!command.subcommands || word === undefined) return { command, depth: 1 };
  const sub = command.subcommands.find((candidate) => candidate.name === `${name} ${word}`);
  if (!sub) throw noSuchCommand(`${name} ${word}`);
  return { command: sub, depth: 2 };
}

/** The words of a command line, reading the value of any option a command (or subcommand) takes. */
const wordsOf = (argv: string[]) => {
  const command = findCommand(commandName(argv) ?? '');
  const options = Object.assign(
    { ...TOP_OPTIONS },
    ...(command?.subcommands ?? []).map((sub) => sub.options),
  );
  return commandWords(argv, options);
};

/** `todo`, `todo --help`, `todo --version`, `todo help [command]`: no command to run. */
function explainItself(argv: string[], io: Io): number {
  const { values, positionals } = parseArguments(argv, TOP_OPTIONS, 'todo');
  if (positionals[0] === 'help' && positionals[1]) {
    print(io, commandHelp(commandOf(positionals.slice(1)).command));
    return EXIT.ok;
  }
  if (values.version && positionals.length === 0) {
    print(io, version());
    return EXIT.ok;
  }
  if (values.help || positionals[0] === 'help') {
    print(io, mainHelp());
    return EXIT.ok;
  }
  io.stderr.write(`${mainHelp()}\n`);
  return EXIT.usage;
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
    const name = commandName(argv);
    if (name === undefined || name === 'help') return explainItself(argv, io);
    const { command, depth } = commandOf(wordsOf(argv));
    const { values, positionals } = parseArguments(argv, optionsOf(command), `todo ${command.name}`);
    if (values.help) {
      print(io, commandHelp(command));
      return EXIT.ok;
    }
    if (command.subcommands) {
      const names = command.subcommands.map((sub) => sub.name.slice(name.length + 1));
      throw usageError(`todo ${name} needs one of ${names.join(', ')} (see \`todo ${name} --help\`).`);
    }
    url = serverUrl(values.url, io.env);
    await command.run({ io, url, values, args: positionals.slice(depth), used });
    return EXIT.ok;
  } catch (error) {
    const failure = await explain(error, io.env, url, used.token);
    io.stderr.write(`todo: ${failure.message}\n`);
    return failure.exitCode;
  }
}
