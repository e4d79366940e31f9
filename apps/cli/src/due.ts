// Due dates in the terminal's own time zone (TZ, else the system's), as the CLI shows them. A
// due date without a time is stored as local midnight and means "all day": it shows no time, and
// is overdue only once its day has passed. The web app keeps the same convention. Reading dates
// is @todo/client/quick-add's, shared with the web app (options.ts, commands/add.ts).

export const PRIORITIES = ['none', 'low', 'medium', 'high'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const isPriority = (value: string): value is Priority =>
  (PRIORITIES as readonly string[]).includes(value);

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (value: number) => String(value).padStart(2, '0');

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
