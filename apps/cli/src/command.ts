import type { OptionSpecs, ValuesOf } from './options.ts';

/** The process around a command: its environment and streams, so tests and main.ts can differ. */
export type Io = {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Calls `stop` on Ctrl-C (SIGINT) or SIGTERM while a command that runs until then is waiting
   * (`todo watch`); returns the function that stops listening. */
  onInterrupt(stop: () => void): () => void;
};

/** What a command runs with: the process, the server, its options and its arguments. */
export type Context<Values = Record<string, string | boolean | undefined>> = {
  io: Io;
  url: string;
  values: Values;
  args: string[];
  /** The token the command used, once it has read one: only that one is forgotten when it is refused. */
  used: { token?: string };
};

/** One `todo <name>`: what it takes (the parser and the help read the same `options`), and what it does. */
export type Command<O extends OptionSpecs = OptionSpecs> = {
  name: string;
  /** Other names it answers to. */
  aliases?: string[];
  /** The arguments after the name, as the usage line shows them: `<title>`. */
  args?: string;
  summary: string;
  /** Its own options; --url and --help come with every command. */
  options: O;
  /** More on the command, for its --help: paragraphs, wrapped to 80 columns; one that starts
   * with two spaces is an example, shown as it is. */
  details?: string[];
  /** Commands under this one (`todo list add`), each named in full ('list add'): `run` is then
   * never called, as the word after this command's name picks one of them. */
  subcommands?: readonly Command[];
  run(context: Context<ValuesOf<O>>): Promise<void>;
};

/**
 * A command, its option values typed from its own options.
 *
 * @example
 * export const clearCommand = defineCommand({
 *   name: 'clear',
 *   summary: 'Delete all completed todos',
 *   options: { json: jsonOption('Print {"deleted":n}') },
 *   async run({ values }) { … values.json … },
 * });
 */
export const defineCommand = <const O extends OptionSpecs>(command: Command<O>): Command =>
  command as unknown as Command;
