import type { Values } from './options.ts';

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
export type Context = {
  io: Io;
  url: string;
  values: Values;
  args: string[];
  /** The token the command used, once it has read one: only that one is forgotten when it is refused. */
  used: { token?: string };
};

/** One `todo <name>`: how it is used and explained, and what it does. */
export type Command = {
  name: string;
  /** Other names it answers to. */
  aliases?: string[];
  usage: string;
  summary: string;
  /** Options besides --url and --help. */
  options: (keyof Values)[];
  details?: string;
  run(context: Context): Promise<void>;
};
