import { isPriority, PRIORITIES, type Priority, parseDue } from './due.ts';
import { usageError } from './errors.ts';

/** Every option the parser knows; each command says which of them it takes. */
export const OPTIONS = {
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

export type Values = {
  [name in keyof typeof OPTIONS]?: (typeof OPTIONS)[name]['type'] extends 'string' ? string : boolean;
};

export const SORTS = ['manual', 'due', 'priority', 'newest', 'oldest'] as const;
export type Sort = (typeof SORTS)[number];

const oneOf = (names: readonly string[]) => `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;

/** `--due`: a date in local time, or "none" (no due date). */
export async function dueOption(value: string | undefined): Promise<string | null | undefined> {
  if (value === undefined) return undefined;
  if (value.trim().toLowerCase() === 'none') return null;
  const due = await parseDue(value);
  if (!due)
    throw usageError(`--due "${value}" is not a date. Try 2026-12-24, tomorrow, "friday 17:00" or none.`);
  return due.toISOString();
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
  '--due takes a date in local time: 2026-12-24, tomorrow, friday, "friday 17:00", "in 3 days",\n' +
  '"dec 24 5pm". A date without a time is due all day. --priority is none, low, medium or high.';

export const ID_DETAILS = 'An id is the full id or any unique beginning of it, as shown by `todo ls`.';
