/**
 * The input fields that several routers check alike: text PostgreSQL can store, ids, a todo's
 * title, description, instants and priority, and a list's name. Each router builds its inputs
 * of these, so a todo's title is the same rule in `todo.create` as in `account.import`.
 */
import { TODO_PRIORITIES } from '@todo/db';
import { z } from 'zod';
import { plainText } from '../user-name.ts';

// PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate has no UTF-8 form (a driver
// would fail on it or silently store U+FFFD): refuse both here, as invalid input.
export const text = () =>
  z
    .string()
    .refine((value) => !value.includes('\0'), 'must not contain NUL characters')
    .refine((value) => !/\p{Surrogate}/u.test(value), 'must be valid Unicode text (no unpaired surrogates)');
export const id = z.uuid({ error: 'must be a todo id (uuid)' });
// Which list a call is about; absent, the caller's Inbox.
export const listId = z.uuid({ error: 'must be a list id (uuid)' });
export const title = text().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters');
export const description = text().max(10_000, 'must be at most 10,000 characters');

// PostgreSQL prints years 1–9999 the way the API reads them back; outside, reading fails.
const FIRST_INSTANT = Date.parse('0001-01-01T00:00:00Z');
const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');
/** An ISO-8601 instant: a date, a time and a zone (`Z` or an offset). */
export const instant = z.iso
  .datetime({ offset: true, error: 'must be an ISO-8601 instant, e.g. 2026-12-01T09:30:00.000Z' })
  .refine((value) => {
    const time = Date.parse(value);
    return time >= FIRST_INSTANT && time <= LAST_INSTANT;
  }, 'must be between the years 1 and 9999');
export const priority = z.enum(TODO_PRIORITIES, { error: 'must be one of none, low, medium, high' });

// A list's name is shown to its members and mailed in invites: one line of plain text.
export const listName = text()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .refine(
    (value) => plainText(value) === value,
    'must be one line of plain text, without control characters',
  );
