// Due dates in the terminal's own time zone (TZ, else the system's). A due date without a time
// is stored as local midnight and means "all day": it shows no time, and is overdue only once
// its day has passed. The web app keeps the same convention.

export const PRIORITIES = ['none', 'low', 'medium', 'high'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const isPriority = (value: string): value is Priority =>
  (PRIORITIES as readonly string[]).includes(value);

/**
 * The instant a `--due` value means, in local time; undefined when it is not a date. The whole
 * value must be the date (not "buy milk tomorrow"). A date without a time is local midnight:
 * chrono implies noon (or the current hour) for it, so an uncertain hour means "all day".
 * chrono-node is loaded here, not with the module: a few hundred milliseconds that every
 * other command would pay for nothing.
 *
 * @example
 * await parseDue('2026-12-24')    // 2026-12-24 00:00 local
 * await parseDue('tomorrow')      // tomorrow 00:00 local
 * await parseDue('friday 17:00')  // the coming Friday, 17:00 local
 */
export async function parseDue(text: string, now = new Date()): Promise<Date | undefined> {
  const given = text.trim();
  if (!given) return undefined;
  const chrono = await import('chrono-node');
  const results = chrono.parse(given, now, { forwardDate: true });
  const [result] = results;
  if (results.length !== 1 || !result || result.index !== 0 || result.text.length !== given.length)
    return undefined;
  const date = result.start.date();
  if (Number.isNaN(date.getTime())) return undefined;
  if (!result.start.isCertain('hour')) date.setHours(0, 0, 0, 0);
  return date;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (value: number) => String(value).padStart(2, '0');

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

/** One way to read a numeric date: in words, and as it can be written without doubt. */
export type Reading = { words: string; iso: string };

// A numeric date: day and month with "/" (the year optional), or with "." or "-" and a year
// ("1.5 days" is no date). Digits or separators around it would make it part of something else.
const NUMERIC_DATE =
  /(?<![\d/.-])(\d{1,2})(?:\/(\d{1,2})(?:\/(\d{4}|\d{2}))?|([.-])(\d{1,2})\4(\d{4}|\d{2}))(?![\d/.-])/;

/**
 * The two readings of a numeric date that could be day first or month first (03/04/2026: 3 April
 * or 4 March); undefined when the text holds no such date. 31/12/2026 and 12/31/2026 read one
 * way only, and so does 04/04/2026.
 *
 * @example
 * readingsOf('03/04/2026')  // { dayFirst: { words: '3 April', iso: '2026-04-03' }, monthFirst: { words: '4 March', iso: '2026-03-04' } }
 * readingsOf('31/12/2026')  // undefined
 */
export function readingsOf(text: string): { dayFirst: Reading; monthFirst: Reading } | undefined {
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

/** Local midnight of the day `date` falls on, `days` later. */
const startOfDay = (date: Date, days = 0) =>
  new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);

/** Midnight, to the millisecond, is the all-day convention. */
export const isAllDay = (due: Date) =>
  due.getHours() === 0 && due.getMinutes() === 0 && due.getSeconds() === 0 && due.getMilliseconds() === 0;

/** An all-day due is overdue once its day has passed; a timed one once its moment has. */
export const isOverdue = (due: Date, now: Date) => (isAllDay(due) ? now >= startOfDay(due, 1) : now >= due);

const isoDate = (date: Date) => `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
const clock = (date: Date) => `${two(date.getHours())}:${two(date.getMinutes())}`;

/**
 * A due date for the `todo ls` column: the day, relative where that is shorter, and the time
 * unless it is all day.
 *
 * @example
 * dueLabel(due, now)  // "Today 17:00", "Tomorrow", "Yesterday", "Wed 24 Dec", "2027-01-05 09:00"
 */
export function dueLabel(due: Date, now: Date): string {
  const day = startOfDay(due).getTime();
  const relative = new Map([
    [startOfDay(now).getTime(), 'Today'],
    [startOfDay(now, 1).getTime(), 'Tomorrow'],
    [startOfDay(now, -1).getTime(), 'Yesterday'],
  ]).get(day);
  const date =
    relative ??
    (due.getFullYear() === now.getFullYear()
      ? `${WEEKDAYS[due.getDay()]} ${due.getDate()} ${MONTHS[due.getMonth()]}`
      : isoDate(due));
  return isAllDay(due) ? date : `${date} ${clock(due)}`;
}

/**
 * A due date in full, for `todo show`: the date, the time or "all day", and when that is (an
 * active todo's passed due is "overdue").
 *
 * @example
 * dueInFull(due, now)  // "Thu 24 Dec 2026, all day (in 23 days)", "Tue 1 Dec 2026 17:00 (overdue)"
 */
export function dueInFull(due: Date, now: Date, completed = false): string {
  const date = `${WEEKDAYS[due.getDay()]} ${due.getDate()} ${MONTHS[due.getMonth()]} ${due.getFullYear()}`;
  // Rounded: a day across a clock change is 23 or 25 hours long.
  const days = Math.round((startOfDay(due).getTime() - startOfDay(now).getTime()) / 86_400_000);
  const when =
    !completed && isOverdue(due, now)
      ? 'overdue'
      : (new Map([
          [0, 'today'],
          [1, 'tomorrow'],
          [-1, 'yesterday'],
        ]).get(days) ?? (days > 0 ? `in ${days} days` : `${-days} days ago`));
  return `${date}${isAllDay(due) ? ', all day' : ` ${clock(due)}`} (${when})`;
}
