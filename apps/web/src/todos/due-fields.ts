// The details form's date and time fields and the instant they stand for, in the person's zone.
// Only the details panel (a chunk of its own) needs these.
import { pad, type WallClock, wallClock } from './due-date.ts';

/** The instant a wall clock in `timeZone` shows `clock` (for a time skipped by a DST change, the
 * one just after it). */
export function instantOf(clock: WallClock, timeZone?: string): Date {
  const asUtc = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute);
  const offsetAt = (instant: number) => {
    const seen = wallClock(new Date(instant), timeZone);
    return Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute) - instant;
  };
  const guess = asUtc - offsetAt(asUtc);
  return new Date(asUtc - offsetAt(guess));
}

/** A due date as the details form's date and time inputs show it ("" for none). */
export function dueFields(dueAt: string | null, timeZone?: string): { date: string; time: string } {
  if (!dueAt) return { date: '', time: '' };
  const clock = wallClock(new Date(dueAt), timeZone);
  const date = `${String(clock.year).padStart(4, '0')}-${pad(clock.month)}-${pad(clock.day)}`;
  const allDay = clock.hour === 0 && clock.minute === 0;
  return { date, time: allDay ? '' : `${pad(clock.hour)}:${pad(clock.minute)}` };
}

/** The instant for the form's date ("YYYY-MM-DD", "" for none) and optional time ("HH:MM"). */
export function dueAtOf(date: string, time: string, timeZone?: string): string | null {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!day) return null;
  const [hour, minute] = /^\d{2}:\d{2}/.test(time) ? time.split(':').map(Number) : [0, 0];
  return instantOf(
    {
      year: Number(day[1]),
      month: Number(day[2]),
      day: Number(day[3]),
      hour: hour ?? 0,
      minute: minute ?? 0,
    },
    timeZone,
  ).toISOString();
}
