// Quick add: the due date and the priority a person types into a new todo's title ("Call mum
// tomorrow 18:00 !high"), found and taken out of it. One parser for the web app's input and the
// CLI's `todo add`.
//
// Conservative by design: a title that names no date the way people write one for a todo stays
// exactly as typed. chrono-node alone reads far too much in ordinary words ("get some sun" is a
// Sunday, "March on" a month, "Meet at 5" five in the morning, "a day in the life" tomorrow), so
// the phrases it is asked about are first picked out by the pattern below, and a phrase counts
// only when chrono reads all of it as one date.
import { chronoParse, instantOf, type Readings, readingsOf } from './dates.ts';

export type QuickPriority = 'low' | 'medium' | 'high';

/** A piece of the typed text: what it says, and where (`start` inclusive, `end` exclusive). */
export type Span = { text: string; start: number; end: number };
export type DuePart = Span & { kind: 'due'; dueAt: Date; allDay: boolean };
export type PriorityPart = Span & { kind: 'priority'; priority: QuickPriority };
export type QuickAddPart = DuePart | PriorityPart;

export type QuickAdd = {
  /** The title to save: the typed text, trimmed, without the parts recognised. */
  title: string;
  due?: DuePart;
  priority?: PriorityPart;
  /** The parts recognised, in the order they were typed. */
  parts: QuickAddPart[];
  /** A numeric date left in the title because it reads two ways (03/04/2026). */
  ambiguous?: Span & Readings;
};

export type QuickAddOptions = {
  /** The moment "tomorrow" and "fri" are counted from (default: now). */
  now?: Date;
  /** Texts of parts to leave in the title as written: chips the person removed. */
  keep?: readonly string[];
  /** Whether to look for a due date (false when one is given otherwise, e.g. `--due`). */
  dates?: boolean;
  /** Whether to look for a priority (false when one is given otherwise, e.g. `--priority`). */
  priorities?: boolean;
};

// Weekdays by name; "sun", "sat" and "wed" are words first ("get some sun"), so only in full.
// chrono knows neither "tues" nor "thur".
const WEEKDAY = 'monday|mon|tuesday|tue|wednesday|thursday|thurs|thu|friday|fri|saturday|sunday';
const MONTH =
  'january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug|september|sept|sep|october|oct|november|nov|december|dec';
const DAY = String.raw`(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?`;
const YEAR = String.raw`20\d\d`;
// A month only with its day ("March on", "May's letter" are no dates); numeric dates only with
// their year ("1/2 of the book", "bug 13/5" are none either).
const DATE = [
  String.raw`(?:(?:next|this)\s+)?(?:${WEEKDAY})`,
  'today|tomorrow|tonight',
  String.raw`${DAY}(?:\s+of)?\s+(?:${MONTH})(?:,?\s+${YEAR})?`,
  String.raw`(?:${MONTH})\s+${DAY}(?:,?\s+${YEAR})?`,
  String.raw`\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\.\d{1,2}\.\d{4}`,
  String.raw`in\s+(?:\d{1,3}|an?)\s+(?:days?|weeks?)`,
].join('|');
const MERIDIEM_TIME = String.raw`(?:1[0-2]|0?[1-9])(?::[0-5]\d)?\s?[ap]m`;
// A time says its half of the day or its minutes ("Meet at 5" could be 05:00 or 17:00);
// "midnight" is left out: 00:00 is the all-day mark.
const TIME = String.raw`${MERIDIEM_TIME}|(?:[01]?\d|2[0-3]):[0-5]\d|noon`;
// Without a date, H:MM needs "at" ("John 3:16" is a verse): 09:30, 17:00, at 9:30, 5pm.
const TIME_ALONE = String.raw`at\s+(?:${TIME})|${MERIDIEM_TIME}|(?:[01]\d|2[0-3]):[0-5]\d|noon`;
/** "on", "by" and "due" before a date go with it: "Pay rent by fri" is "Pay rent". chrono is
 * given the phrase without them, and without "at" ("at noon" is more than it reads). */
const LEAD = /^(?:on|by|due|at)\s+/i;
/** A date after one of these is one end of a range ("from monday to friday"): no due date. */
const RANGE_WORD = /(?:^|\s)(?:from|to|until|till|through|between)\s+$/i;
const PHRASE = new RegExp(
  // Not inside a word, a number, a version or a possessive ("Friday's", "v1.2", "10:30:15").
  String.raw`(?<![\p{L}\p{N}_/.:'’-])` +
    String.raw`(?:(?:on|by|due)\s+)?` +
    String.raw`(?:(?:${DATE})(?:,?\s+(?:at\s+)?(?:${TIME}))?|(?:${TIME_ALONE})(?:\s+(?:on\s+)?(?:${DATE}))?)` +
    String.raw`(?![\p{L}\p{N}_/'’-]|[.:]\p{N})`,
  'giu',
);
const PRIORITY = /(?<!\S)!(high|medium|med|low)(?!\S)/gi;
const PRIORITY_NAMES: Record<string, QuickPriority> = {
  high: 'high',
  medium: 'medium',
  med: 'medium',
  low: 'low',
};

const spanOf = (match: RegExpExecArray | RegExpMatchArray): Span => {
  const start = match.index ?? 0;
  return { text: match[0], start, end: start + match[0].length };
};

/** The due-date phrases in `text` chrono reads whole, and the numeric dates that read two ways. */
function findDates(text: string, now: Date) {
  const dates: DuePart[] = [];
  const ambiguous: (Span & Readings)[] = [];
  for (const match of text.matchAll(PHRASE)) {
    const span = spanOf(match);
    if (RANGE_WORD.test(text.slice(0, span.start))) continue;
    const phrase = span.text.replace(LEAD, '');
    const readings = readingsOf(phrase);
    if (readings) {
      ambiguous.push({ ...span, ...readings });
      continue;
    }
    const results = chronoParse(phrase, now);
    const [result] = results;
    if (results.length !== 1 || !result || result.index !== 0 || result.text !== phrase || result.end)
      continue;
    const instant = instantOf(result.start);
    if (instant) dates.push({ ...span, kind: 'due', ...instant });
  }
  return { dates, ambiguous };
}

function findPriorities(text: string): PriorityPart[] {
  return [...text.matchAll(PRIORITY)].map((match) => ({
    ...spanOf(match),
    kind: 'priority',
    priority: PRIORITY_NAMES[match[1]?.toLowerCase() ?? ''] ?? 'medium',
  }));
}

/** `text` without `spans` (in order, not overlapping), the words around each joined by one space. */
function without(text: string, spans: Span[]): string {
  let rest = text;
  for (const span of [...spans].sort((a, b) => b.start - a.start)) {
    let before = rest.slice(0, span.start).trimEnd();
    let after = rest.slice(span.end).trimStart();
    // "Call mum, tomorrow" is "Call mum"; "Call mum tomorrow, then bake" is "Call mum, then bake".
    if (!after) before = before.replace(/[\s,;:–—-]+$/, '');
    if (!before) after = after.replace(/^[\s,;:–—-]+/, '');
    const glue = !before || !after || /^[,;:.!?](?!\S)/.test(after) ? '' : ' ';
    if (/^[,;:]/.test(after) && /[,;:]$/.test(before)) after = after.slice(1).trimStart();
    rest = `${before}${glue}${after}`;
  }
  return rest.trim();
}

/**
 * Finds a due date and a priority in a new todo's title. Of each kind, the last one typed counts
 * (the others stay words); `keep` leaves the parts a person chose to keep as words. When nothing
 * would be left of the title, nothing is taken out of it.
 *
 * @example
 * parseQuickAdd('Call mum tomorrow 18:00 !high', { now })
 * // { title: 'Call mum', due: { text: 'tomorrow 18:00', dueAt: <tomorrow 18:00 local>, allDay: false, … },
 * //   priority: { text: '!high', priority: 'high', … }, parts: [due, priority] }
 * parseQuickAdd('buy some cheese')  // { title: 'buy some cheese', parts: [] }
 */
export function parseQuickAdd(text: string, options: QuickAddOptions = {}): QuickAdd {
  const { now = new Date(), keep = [], dates = true, priorities = true } = options;
  const notKept = (part: Span) => !keep.includes(part.text);
  const found = dates ? findDates(text, now) : { dates: [], ambiguous: [] };
  const due = found.dates.filter(notKept).at(-1);
  const priority = priorities ? findPriorities(text).filter(notKept).at(-1) : undefined;
  const ambiguous = found.ambiguous.at(-1);
  const parts = [due, priority].filter((part) => part !== undefined).sort((a, b) => a.start - b.start);
  const title = without(text, parts);
  if (!title) return { title: text.trim(), parts: [], ...(ambiguous && { ambiguous }) };
  return {
    title,
    parts,
    ...(due && { due }),
    ...(priority && { priority }),
    ...(ambiguous && { ambiguous }),
  };
}
