// Due dates in the person's own time zone, with Intl only. A due date without a time is stored
// as midnight in that zone and means "all day": it has no time to show, and is overdue only once
// the day has passed.

const DAY_MS = 86_400_000;

export type WallClock = { year: number; month: number; day: number; hour: number; minute: number };

const formats = new Map<string, Intl.DateTimeFormat>();

/** One cached formatter per zone and style (building them is the slow part of Intl). */
function format(timeZone: string | undefined, style: 'clock' | 'date' | 'dateYear'): Intl.DateTimeFormat {
  const key = `${timeZone ?? ''}|${style}`;
  let cached = formats.get(key);
  if (!cached) {
    // en-US for the names: en-GB's data differs between ICU versions ("Sep" or "Sept").
    cached = new Intl.DateTimeFormat(
      style === 'clock' ? 'en-GB' : 'en-US',
      style === 'clock'
        ? {
            timeZone,
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            hourCycle: 'h23',
          }
        : {
            timeZone,
            weekday: 'short',
            day: 'numeric',
            month: 'short',
            year: style === 'dateYear' ? 'numeric' : undefined,
          },
    );
    formats.set(key, cached);
  }
  return cached;
}

/** The date and time on a wall clock in `timeZone` (undefined: the browser's own zone). */
export function wallClock(instant: Date, timeZone?: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of format(timeZone, 'clock').formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
  };
}

const dayNumber = (clock: WallClock) => Date.UTC(clock.year, clock.month - 1, clock.day) / DAY_MS;

export type DueLabel = {
  /** "Today", "Tomorrow 09:30", "Mon 8 Dec", "Fri 8 Jan 2027 17:00". */
  text: string;
  overdue: boolean;
  allDay: boolean;
};

export const pad = (value: number) => String(value).padStart(2, '0');

/**
 * How a due date reads in a row, relative to `now`.
 *
 * @example
 * dueLabel('2026-12-08T16:00:00.000Z', new Date('2026-12-08T09:00:00Z'), 'Europe/Berlin');
 * // { text: 'Today 17:00', overdue: false, allDay: false }
 */
/** A day as rows name it: "Fri 11 Dec 2026" (with `year`), else "Fri 11 Dec". */
function dayText(instant: Date, timeZone: string | undefined, year: boolean): string {
  const parts = format(timeZone, year ? 'dateYear' : 'date').formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((item) => item.type === type)?.value;
  return [part('weekday'), part('day'), part('month'), part('year')].filter(Boolean).join(' ');
}

/**
 * A moment in the style of the rows' due dates, with its year and (unless `dateOnly`) its
 * 24-hour time: the app's one way of writing dates (the account's sessions, an invite's end).
 *
 * @example dateText(new Date('2026-12-06T22:50:00Z'), { timeZone: 'UTC' }); // 'Sun 6 Dec 2026 22:50'
 */
export function dateText(
  instant: Date,
  { timeZone, dateOnly = false }: { timeZone?: string; dateOnly?: boolean } = {},
) {
  const day = dayText(instant, timeZone, true);
  if (dateOnly) return day;
  const clock = wallClock(instant, timeZone);
  return `${day} ${pad(clock.hour)}:${pad(clock.minute)}`;
}

export function dueLabel(dueAt: string, now: Date, timeZone?: string): DueLabel {
  const due = new Date(dueAt);
  const clock = wallClock(due, timeZone);
  const today = wallClock(now, timeZone);
  const days = dayNumber(clock) - dayNumber(today);
  const allDay = clock.hour === 0 && clock.minute === 0;
  let text: string;
  if (days === 0) text = 'Today';
  else if (days === 1) text = 'Tomorrow';
  else if (days === -1) text = 'Yesterday';
  else text = dayText(due, timeZone, clock.year !== today.year);
  if (!allDay) text += ` ${pad(clock.hour)}:${pad(clock.minute)}`;
  return { text, overdue: allDay ? days < 0 : due.getTime() < now.getTime(), allDay };
}
