import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueInFull, dueLabel, isOverdue, parseDue, readingsOf } from './due.ts';

// Node reads TZ again whenever it is assigned: local time here is Auckland's (UTC+13 in
// December), far enough from UTC that a date read in the wrong zone lands on the wrong day.
const zone = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'Pacific/Auckland';
});
afterAll(() => {
  process.env.TZ = zone;
});

/** Tuesday 1 December 2026, 10:00 in Auckland. */
const now = () => new Date(2026, 11, 1, 10, 0);
const local = (...parts: [number, number, number, number?, number?]) =>
  new Date(parts[0], parts[1] - 1, parts[2], parts[3] ?? 0, parts[4] ?? 0);

describe('parseDue', () => {
  it('reads a date in local time: without a time it is local midnight (all day)', async () => {
    expect(now().toISOString()).toBe('2026-11-30T21:00:00.000Z');
    expect((await parseDue('2026-12-24', now()))?.toISOString()).toBe('2026-12-23T11:00:00.000Z');
    expect(await parseDue('2026-12-24', now())).toEqual(local(2026, 12, 24));
    expect(await parseDue('24 Dec', now())).toEqual(local(2026, 12, 24));
    expect(await parseDue('dec 24', now())).toEqual(local(2026, 12, 24));
    // A winter date in the southern summer: the offset is the one of that day (UTC+12).
    expect((await parseDue('2027-07-01', now()))?.toISOString()).toBe('2027-06-30T12:00:00.000Z');
  });

  it('reads relative days, weekdays and times', async () => {
    expect(await parseDue('today', now())).toEqual(local(2026, 12, 1));
    expect(await parseDue('tomorrow', now())).toEqual(local(2026, 12, 2));
    expect(await parseDue('Tomorrow', now())).toEqual(local(2026, 12, 2));
    expect(await parseDue('yesterday', now())).toEqual(local(2026, 11, 30));
    expect(await parseDue('in 3 days', now())).toEqual(local(2026, 12, 4));
    // A weekday is the coming one.
    expect(await parseDue('friday', now())).toEqual(local(2026, 12, 4));
    expect(await parseDue('friday 17:00', now())).toEqual(local(2026, 12, 4, 17, 0));
    expect(await parseDue('monday 9am', now())).toEqual(local(2026, 12, 7, 9, 0));
    expect(await parseDue('next friday', now())).toEqual(local(2026, 12, 11));
    expect(await parseDue('tomorrow 9:30', now())).toEqual(local(2026, 12, 2, 9, 30));
    expect(await parseDue('2026-12-24 17:00', now())).toEqual(local(2026, 12, 24, 17, 0));
    expect(await parseDue('  dec 24 5pm ', now())).toEqual(local(2026, 12, 24, 17, 0));
  });

  it('refuses what is not a date, or is more than one', async () => {
    for (const text of [
      '',
      '   ',
      'soon',
      'garbage',
      'buy milk tomorrow',
      'tomorrow or so',
      '2026-13-45',
      'none',
    ])
      expect(await parseDue(text, now()), text).toBeUndefined();
  });
});

describe('dueLabel', () => {
  it('says Today, Tomorrow and Yesterday, with the time unless it is all day', () => {
    expect(dueLabel(local(2026, 12, 1), now())).toBe('Today');
    expect(dueLabel(local(2026, 12, 1, 17, 0), now())).toBe('Today 17:00');
    expect(dueLabel(local(2026, 12, 2), now())).toBe('Tomorrow');
    expect(dueLabel(local(2026, 12, 2, 9, 5), now())).toBe('Tomorrow 09:05');
    expect(dueLabel(local(2026, 11, 30), now())).toBe('Yesterday');
  });

  it('names other days of this year by weekday, and other years by their ISO date', () => {
    expect(dueLabel(local(2026, 12, 24), now())).toBe('Thu 24 Dec');
    expect(dueLabel(local(2026, 12, 9, 8, 30), now())).toBe('Wed 9 Dec 08:30');
    expect(dueLabel(local(2026, 3, 2), now())).toBe('Mon 2 Mar');
    expect(dueLabel(local(2027, 1, 5), now())).toBe('2027-01-05');
    expect(dueLabel(local(2025, 12, 24, 23, 59), now())).toBe('2025-12-24 23:59');
  });

  it('reads the instant in the local zone: late on the 1st in UTC is the 2nd here', () => {
    expect(dueLabel(new Date('2026-12-01T20:30:00.000Z'), now())).toBe('Tomorrow 09:30');
    expect(dueLabel(new Date('2026-12-01T11:00:00.000Z'), now())).toBe('Tomorrow');
  });
});

describe('overdue', () => {
  it('an all-day due once its day has passed, a timed one once its moment has', () => {
    expect(isOverdue(local(2026, 12, 1), now())).toBe(false);
    expect(isOverdue(local(2026, 12, 1), local(2026, 12, 1, 23, 59))).toBe(false);
    expect(isOverdue(local(2026, 12, 1), local(2026, 12, 2))).toBe(true);
    expect(isOverdue(local(2026, 11, 30), now())).toBe(true);
    expect(isOverdue(local(2026, 12, 1, 9, 59), now())).toBe(true);
    expect(isOverdue(local(2026, 12, 1, 10, 1), now())).toBe(false);
  });
});

describe('dueInFull', () => {
  it('gives the whole date, the time or "all day", and when that is', () => {
    expect(dueInFull(local(2026, 12, 24), now())).toBe('Thu 24 Dec 2026, all day (in 23 days)');
    expect(dueInFull(local(2026, 12, 2, 17, 0), now())).toBe('Wed 2 Dec 2026 17:00 (tomorrow)');
    expect(dueInFull(local(2026, 12, 1), now())).toBe('Tue 1 Dec 2026, all day (today)');
    expect(dueInFull(local(2026, 12, 1, 9, 0), now())).toBe('Tue 1 Dec 2026 09:00 (overdue)');
    // A completed todo is no longer overdue.
    expect(dueInFull(local(2026, 11, 28), now(), true)).toBe('Sat 28 Nov 2026, all day (3 days ago)');
    expect(dueInFull(local(2026, 11, 30), now(), true)).toBe('Mon 30 Nov 2026, all day (yesterday)');
  });
});

describe('readingsOf', () => {
  it('finds a numeric date that reads two ways, and says both', () => {
    expect(readingsOf('03/04/2026')).toEqual({
      dayFirst: { words: '3 April', iso: '2026-04-03' },
      monthFirst: { words: '4 March', iso: '2026-03-04' },
    });
    expect(readingsOf('3/4 17:00')).toEqual({
      dayFirst: { words: '3 April', iso: '"3 apr"' },
      monthFirst: { words: '4 March', iso: '"4 mar"' },
    });
    expect(readingsOf('1.2.27')?.dayFirst.iso).toBe('2027-02-01');
    expect(readingsOf('friday 11-12-2026')?.monthFirst.iso).toBe('2026-11-12');
  });

  it('leaves alone what reads one way, and what is no such date', () => {
    for (const text of [
      '31/12/2026',
      '12/31/2026',
      '04/04/2026',
      '2026-04-03',
      '2026/04/03',
      'tomorrow 18:00',
      'next friday',
      'in 1.5 days',
      '13/13/2026',
      '0/3/2026',
    ])
      expect(readingsOf(text), text).toBeUndefined();
  });
});
