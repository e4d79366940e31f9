import type { Io } from './command.ts';

/** One line of a command's result, on stdout. */
export const print = (io: Io, text: string) => io.stdout.write(`${text}\n`);

/** `--json` output: one JSON value on one line. */
export const printJson = (io: Io, value: unknown) => print(io, JSON.stringify(value));

/** Colour only on a terminal, and never when NO_COLOR is set (no-color.org). */
export const useColor = (io: Io) => Boolean((io.stdout as { isTTY?: boolean }).isTTY) && !io.env.NO_COLOR;
