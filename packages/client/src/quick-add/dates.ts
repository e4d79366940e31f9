// Dates as people type them, read with chrono-node's English rules (`chrono-node/en`; the
// other languages it knows stay out of a bundle). Everything here is in the
// runtime's own time zone: the browser's in the web app, the terminal's (TZ) in the CLI. A date
// without a time is local midnight and means "all day", as everywhere in the app.
import { casual, type ParsedResult } from 'chrono-node/en';

/** chrono's reading of a date, with the app's conventions: the coming one, never a past one
 * (a weekday, a time that has passed today), unless a year or "today" says otherwise. */
export function chronoParse(text: string, now: Date) {
  return casual.parse(text, now, { forwardDate: true });
}

/** The instant of a reading: midnight (all day) unless it names its hour. */
export function instantOf(components: ParsedResult['start']): { dueAt: Date; allDay: boolean } | undefined {
  const date = components.date();
  if (Number.isNaN(date.getTime())) return undefined;
  const allDay = !components.isCertain('hour');
  if (allDay) date.setHours(0, 0, 0, 0);
  return { dueAt: date, allDay };
}

/**
 * The instant a whole text means as one date (the CLI's `--due`), undefined when it is not
 * exactly one date ("buy milk tomorrow" is not).
 *
 * @example
 * readDate('2026-12-24', now)    // 2026-12-24 00:00 local
 * readDate('friday 17:00', now)  // the coming Friday, 17:00 local
 */
export function readDate(text: string, now = new Date()): Date | undefined {
  const given = text.trim();
  if (!given) return undefined;
  const results = chronoParse(given, now);
  const [result] = results;
  if (results.length !== 1 || !result || result.index !== 0 || result.text.length !== given.length)
    return undefined;
  return instantOf(result.start)?.dueAt;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const two = (value: number) => String(value).padStart(2, '0');

/** One way to read a numeric date: in words, and as it can be written without doubt. */
export type Reading = { words: string; iso: string };

/** Both readings of a numeric date that could be day first or month first. */
export type Readings = { dayFirst: Reading; monthFirst: Reading };

// A numeric date: day and month with "/" (the year optional), or with "." or "-" and a year
// ("1.5 days" is no date). Digits or separators around it would make it part of something else.
const NUMERIC_DATE =
  /(?<![\d/.-])(\d{1,2})(?:\/(\d{1,2})(?:\/(\d{4}|\d{2}))?|([.-])(\d{1,2})\4(\d{4}|\d{2}))(?![\d/.-])/;

/**
 * The two readings of a numeric date that could be day first or month first (03/04/2026: 3 April
 * or 4 March); undefined when the text holds no such date. 31/12/2026 and 12/31/2026 read one
 * way only, and so does 04/04/2026. The one rule for such dates, everywhere: they are never
 * taken as a date (`--due` refuses them; in a title they stay words).
 *
 * @example
 * readingsOf('03/04/2026')  // { dayFirst: { words: '3 April', iso: '2026-04-03' }, monthFirst: { words: '4 March', iso: '2026-03-04' } }
 * readingsOf('31/12/2026')  // undefined
 */
export function readingsOf(text: string): Readings | undefined {
  const match = NUMERIC_DATE.exec(text);
  if (!match) return undefined;
  const first = Number(match[1]);
  const second = Number(match[2] ?? match[5]);
  const yearText = match[3] ?? match[6];
  if (first === second || first < 1 || second < 1 || first > 12 || second > 12) return undefined;
  const year =
    yearText === undefined ? undefined : yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  const reading = (day: number, month: number): Reading => ({
    words: `${day} ${MONTH_NAMES[month - 1]}`,
    iso:
      year === undefined
        ? `"${day} ${MONTHS[month - 1]?.toLowerCase()}"`
        : `${year}-${two(month)}-${two(day)}`,
  });
  return { dayFirst: reading(first, second), monthFirst: reading(second, first) };
}
