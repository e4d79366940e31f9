import { describe, expect, test } from 'vitest';
import { dateText, dueLabel } from './due-date.ts';
import { dueAtOf, dueFields, instantOf } from './due-fields.ts';

const BERLIN = 'Europe/Berlin';
const TOKYO = 'Asia/Tokyo';
/** Tuesday 8 December 2026, 10:00 in Berlin. */
const NOW = new Date('2026-12-08T09:00:00.000Z');

/** The instant of a Berlin wall clock, as the form would store it. */
const berlin = (date: string, time = '') => dueAtOf(date, time, BERLIN) ?? '';

describe('dueLabel', () => {
  test('today, tomorrow and yesterday by name; all-day dates without a time', () => {
    expect(dueLabel(berlin('2026-12-08'), NOW, BERLIN)).toEqual({
      text: 'Today',
      overdue: false,
      allDay: true,
    });
    expect(dueLabel(berlin('2026-12-09'), NOW, BERLIN).text).toBe('Tomorrow');
    expect(dueLabel(berlin('2026-12-07'), NOW, BERLIN)).toEqual({
      text: 'Yesterday',
      overdue: true,
      allDay: true,
    });
  });

  test('a time when there is one, on a 24-hour clock', () => {
    expect(dueLabel(berlin('2026-12-08', '17:00'), NOW, BERLIN)).toEqual({
      text: 'Today 17:00',
      overdue: false,
      allDay: false,
    });
    expect(dueLabel(berlin('2026-12-09', '09:05'), NOW, BERLIN).text).toBe('Tomorrow 09:05');
    expect(dueLabel(berlin('2026-12-07', '23:59'), NOW, BERLIN).text).toBe('Yesterday 23:59');
  });

  test('other days: weekday and date, and the year only when it is not this one', () => {
    expect(dueLabel(berlin('2026-12-14'), NOW, BERLIN).text).toBe('Mon 14 Dec');
    // Three letters for every month, whatever the ICU version's English data ("Sept").
    expect(dueLabel(berlin('2026-09-10'), NOW, BERLIN).text).toBe('Thu 10 Sep');
    expect(dueLabel(berlin('2026-11-30', '08:00'), NOW, BERLIN).text).toBe('Mon 30 Nov 08:00');
    expect(dueLabel(berlin('2027-01-08'), NOW, BERLIN).text).toBe('Fri 8 Jan 2027');
    expect(dueLabel(berlin('2025-12-08'), NOW, BERLIN).text).toBe('Mon 8 Dec 2025');
  });

  test('overdue: a time once it has passed, an all-day date only once its day has', () => {
    expect(dueLabel(berlin('2026-12-08', '09:59'), NOW, BERLIN).overdue).toBe(true);
    expect(dueLabel(berlin('2026-12-08', '10:01'), NOW, BERLIN).overdue).toBe(false);
    expect(dueLabel(berlin('2026-12-08'), NOW, BERLIN).overdue).toBe(false);
    expect(dueLabel(berlin('2026-12-07'), NOW, BERLIN).overdue).toBe(true);
  });

  test('the same instant reads differently in another zone', () => {
    // 23:30 on the 8th in Berlin is already the morning of the 9th in Tokyo.
    const late = berlin('2026-12-08', '23:30');
    expect(dueLabel(late, NOW, BERLIN).text).toBe('Today 23:30');
    expect(dueLabel(late, NOW, TOKYO).text).toBe('Tomorrow 07:30');
    // Berlin's all-day date is a timed one in Tokyo (its midnight is 08:00 there).
    expect(dueLabel(berlin('2026-12-09'), NOW, TOKYO)).toMatchObject({
      text: 'Tomorrow 08:00',
      allDay: false,
    });
  });

  test('days are counted on the calendar, not in 24-hour steps', () => {
    const lateEvening = new Date('2026-12-08T22:30:00.000Z'); // 23:30 in Berlin
    expect(dueLabel(berlin('2026-12-09', '00:30'), lateEvening, BERLIN).text).toBe('Tomorrow 00:30');
    expect(dueLabel(berlin('2026-12-10', '23:00'), NOW, BERLIN).text).toBe('Thu 10 Dec 23:00');
  });
});

describe('the details form’s fields', () => {
  test('a date alone is stored as midnight in the person’s zone', () => {
    expect(dueAtOf('2026-12-24', '', BERLIN)).toBe('2026-12-23T23:00:00.000Z');
    expect(dueAtOf('2026-07-01', '', BERLIN)).toBe('2026-06-30T22:00:00.000Z');
    expect(dueAtOf('2026-12-24', '', TOKYO)).toBe('2026-12-23T15:00:00.000Z');
  });

  test('a date and a time', () => {
    expect(dueAtOf('2026-12-24', '17:30', BERLIN)).toBe('2026-12-24T16:30:00.000Z');
    expect(dueAtOf('2026-12-24', '17:30', 'America/New_York')).toBe('2026-12-24T22:30:00.000Z');
  });

  test('no date is no due date, whatever the time says', () => {
    expect(dueAtOf('', '', BERLIN)).toBeNull();
    expect(dueAtOf('', '17:00', BERLIN)).toBeNull();
  });

  test('read back into the fields unchanged', () => {
    expect(dueFields(null, BERLIN)).toEqual({ date: '', time: '' });
    expect(dueFields(dueAtOf('2026-12-24', '', BERLIN), BERLIN)).toEqual({ date: '2026-12-24', time: '' });
    expect(dueFields(dueAtOf('2026-03-29', '17:05', BERLIN), BERLIN)).toEqual({
      date: '2026-03-29',
      time: '17:05',
    });
  });

  test('a time that a clock change skips becomes the moment after it', () => {
    // Berlin's clocks go from 02:00 to 03:00 on 29 March 2026.
    const skipped = instantOf({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, BERLIN);
    expect(skipped.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(dueFields(skipped.toISOString(), BERLIN)).toEqual({ date: '2026-03-29', time: '03:30' });
  });
});

describe('dateText', () => {
  test('one style for every date the app shows: weekday, day, month, year and a 24-hour time', () => {
    const instant = new Date('2026-12-06T22:50:00Z');
    expect(dateText(instant, { timeZone: 'UTC' })).toBe('Sun 6 Dec 2026 22:50');
    expect(dateText(instant, { timeZone: 'Europe/Berlin' })).toBe('Sun 6 Dec 2026 23:50');
    expect(dateText(instant, { timeZone: 'Asia/Tokyo', dateOnly: true })).toBe('Mon 7 Dec 2026');
    // The rows' own label for a date of another year reads the same.
    expect(dueLabel('2027-01-08T16:00:00.000Z', instant, 'UTC').text).toBe('Fri 8 Jan 2027 16:00');
  });
});
