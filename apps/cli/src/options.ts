// The options commands take, each defined once: the parser (arguments.ts) reads its type, and
// the help (help.ts) prints its value and its line, so the two cannot drift apart.
import { dueInFull, isPriority, PRIORITIES, type Priority } from './due.ts';
import { usageError } from './errors.ts';

/** One option: a flag (boolean) or one that takes a value (string). */
export type OptionSpec = {
  type: 'string' | 'boolean';
  short?: string;
  /** The value as the help names it: `--due <date>`. */
  value?: string;
  /** Its line in the help, short enough to fit 80 columns beside the flag. */
  help: string;
};
export type OptionSpecs = Record<string, OptionSpec>;

/** What the parser hands a command: each option it was given, a string or true. */
export type ValuesOf<O extends OptionSpecs> = {
  [name in keyof O]?: [O[name]['type']] extends ['string']
    ? string
    : [O[name]['type']] extends ['boolean']
      ? boolean
      : string | boolean;
};

export const DEFAULT_URL = 'http://localhost:3000';

/** Options every command takes. */
export const COMMON_OPTIONS = {
  url: {
    type: 'string',
    value: '<url>',
    help: `Server URL (default: $TODO_URL or ${new URL(DEFAULT_URL).host})`,
  },
  help: { type: 'boolean', short: 'h', help: 'Show this help' },
} as const satisfies OptionSpecs;

/** `--json`, with what it prints for this command. */
export const jsonOption = (help: string) => ({ type: 'boolean', help }) as const satisfies OptionSpec;

export const YES_OPTION = {
  type: 'boolean',
  short: 'y',
  help: 'Send a password over plain http without asking',
} as const satisfies OptionSpec;

export const DUE_OPTION = {
  type: 'string',
  value: '<date>',
  help: 'When it is due: 2026-12-24, tomorrow, "fri 17:00"',
} as const satisfies OptionSpec;

export const PRIORITY_OPTION = {
  type: 'string',
  value: '<level>',
  help: 'none, low, medium or high',
} as const satisfies OptionSpec;

export const SORTS = ['manual', 'due', 'priority', 'newest', 'oldest'] as const;
export type Sort = (typeof SORTS)[number];

const oneOf = (names: readonly string[]) => `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;

/**
 * The date reader the web app uses too, loaded only by the commands that read dates: chrono-node
 * is a few hundred milliseconds that every other command would pay for nothing.
 */
export const dateReader = () => import('@todo/client/quick-add');

/** `--due`: a date in local time, or "none" (no due date); a date that reads two ways is refused. */
export async function dueOption(value: string | undefined): Promise<string | null | undefined> {
  if (value === undefined) return undefined;
  if (value.trim().toLowerCase() === 'none') return null;
  const { readDate, readingsOf } = await dateReader();
  const readings = readingsOf(value);
  if (readings) {
    throw usageError(
      `--due "${value}" could be ${readings.dayFirst.words} or ${readings.monthFirst.words}; ` +
        `write ${readings.dayFirst.iso} or ${readings.monthFirst.iso}.`,
    );
  }
  const due = readDate(value);
  if (!due)
    throw usageError(`--due "${value}" is not a date; try 2026-12-24, tomorrow, "friday 17:00" or none.`);
  return due.toISOString();
}

/** The line `add` and `edit` print for the due date they understood, in the local zone. */
export function dueEcho(dueAt: string | null, now = new Date()): string {
  if (dueAt === null) return 'Due:   none';
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return `Due:   ${dueInFull(new Date(dueAt), now)}, ${zone} time`;
}

export function priorityOption(value: string | undefined): Priority | undefined {
  if (value === undefined) return undefined;
  if (!isPriority(value)) throw usageError(`--priority must be ${oneOf(PRIORITIES)}, not "${value}".`);
  return value;
}

export function sortOption(value: string | undefined): Sort {
  if (value === undefined) return 'manual';
  if (!(SORTS as readonly string[]).includes(value))
    throw usageError(`--sort must be ${oneOf(SORTS)}, not "${value}".`);
  return value as Sort;
}

export const DUE_DETAILS =
  '--due reads one date in local time: 2026-12-24, 24/12/2026, tomorrow, friday, "friday 17:00", "next friday", "in 3 days", "dec 24 5pm", or none. A date without a time is due all day. A numeric date that reads two ways (03/04/2026: 3 April or 4 March?) is refused; write it as 2026-04-03.';

export const ID_DETAILS = 'An id is the full id or any unique beginning of it, as shown by `todo ls`.';

export const LIST_OPTION = {
  type: 'string',
  value: '<list>',
  help: 'The list, by name or id (default: your Inbox)',
} as const satisfies OptionSpec;

export const LIST_DETAILS =
  '--list names one of your lists by its name (in any case) or its id, as `todo lists` shows them; without it, your Inbox. When two of your lists have that name, give the id.';
