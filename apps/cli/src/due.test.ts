import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueInFull, dueLabel, isOverdue } from './due.ts';

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
