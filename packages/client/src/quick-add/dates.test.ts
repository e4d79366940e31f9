import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDate, readingsOf } from './dates.ts';

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

describe('readDate (the CLI’s --due)', () => {
  it('reads a date in local time: without a time it is local midnight (all day)', () => {
    expect(now().toISOString()).toBe('2026-11-30T21:00:00.000Z');
    expect(readDate('2026-12-24', now())?.toISOString()).toBe('2026-12-23T11:00:00.000Z');
    expect(readDate('2026-12-24', now())).toEqual(local(2026, 12, 24));
    expect(readDate('24 Dec', now())).toEqual(local(2026, 12, 24));
    expect(readDate('dec 24', now())).toEqual(local(2026, 12, 24));
    // A winter date in the southern summer: the offset is the one of that day (UTC+12).
    expect(readDate('2027-07-01', now())?.toISOString()).toBe('2027-06-30T12:00:00.000Z');
  });

  it('reads relative days, weekdays and times', () => {
    expect(readDate('today', now())).toEqual(local(2026, 12, 1));
    expect(readDate('tomorrow', now())).toEqual(local(2026, 12, 2));
    expect(readDate('Tomorrow', now())).toEqual(local(2026, 12, 2));
    expect(readDate('yesterday', now())).toEqual(local(2026, 11, 30));
    expect(readDate('in 3 days', now())).toEqual(local(2026, 12, 4));
    // A weekday is the coming one.
    expect(readDate('friday', now())).toEqual(local(2026, 12, 4));
    expect(readDate('friday 17:00', now())).toEqual(local(2026, 12, 4, 17, 0));
    expect(readDate('monday 9am', now())).toEqual(local(2026, 12, 7, 9, 0));
    expect(readDate('next friday', now())).toEqual(local(2026, 12, 11));
    expect(readDate('tomorrow 9:30', now())).toEqual(local(2026, 12, 2, 9, 30));
    expect(readDate('2026-12-24 17:00', now())).toEqual(local(2026, 12, 24, 17, 0));
    expect(readDate('  dec 24 5pm ', now())).toEqual(local(2026, 12, 24, 17, 0));
  });

  it('refuses what is not a date, or is more than one', () => {
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
      expect(readDate(text, now()), text).toBeUndefined();
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
