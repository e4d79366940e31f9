import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Todo } from '../trpc.ts';
import { agendaInputs, dayStart, upcomingDays } from './agenda-days.ts';

// The views follow the browser's zone; these tests put Node in one with summer time.
let zone: string | undefined;
beforeEach(() => {
  zone = process.env.TZ;
  process.env.TZ = 'Europe/Berlin';
});
afterEach(() => {
  process.env.TZ = zone;
});

const due = (title: string, dueAt: string | null) => ({ id: title, title, dueAt }) as Todo;

test('Today reads what is overdue (not done) and what is due today; Upcoming the 7 days after', () => {
  const now = new Date('2026-12-07T22:30:00Z'); // 23:30 on Monday 7 December in Berlin
  const inputs = agendaInputs(now);
  expect(inputs.overdue).toMatchObject({
    allLists: true,
    order: 'due',
    filter: 'active',
    dueBefore: '2026-12-06T23:00:00.000Z',
  });
  expect(inputs.overdue.dueAfter).toBeUndefined();
  expect(inputs.today).toMatchObject({
    dueAfter: '2026-12-06T23:00:00.000Z',
    dueBefore: '2026-12-07T23:00:00.000Z',
  });
  expect(inputs.today.filter).toBeUndefined();
  expect(inputs.upcoming).toMatchObject({
    dueAfter: '2026-12-07T23:00:00.000Z',
    dueBefore: '2026-12-14T23:00:00.000Z',
  });
});

test('a day is a wall-clock day, 23 hours long where summer time starts', () => {
  const now = new Date('2026-03-28T12:00:00Z'); // Saturday; clocks go forward on Sunday 29 March
  expect(dayStart(now, 1).toISOString()).toBe('2026-03-28T23:00:00.000Z');
  expect(dayStart(now, 2).toISOString()).toBe('2026-03-29T22:00:00.000Z');
});

test('Upcoming groups by day, names each, and keeps each day’s order', () => {
  const now = new Date('2026-12-07T09:00:00Z');
  const days = upcomingDays(
    [
      due('tomorrow, all day', '2026-12-07T23:00:00.000Z'),
      due('tomorrow 9:00', '2026-12-08T08:00:00.000Z'),
      due('Thursday late', '2026-12-10T22:59:00.000Z'),
      due('next Monday', '2026-12-14T10:00:00.000Z'),
      due('a week on Tuesday', '2026-12-15T10:00:00.000Z'),
      due('no date', null),
    ],
    now,
  );
  expect(days.map((day) => day.name)).toEqual([
    'Tomorrow',
    'Wed 9 Dec',
    'Thu 10 Dec',
    'Fri 11 Dec',
    'Sat 12 Dec',
    'Sun 13 Dec',
    'Mon 14 Dec',
  ]);
  expect(days.map((day) => day.todos.map((todo) => todo.title))).toEqual([
    ['tomorrow, all day', 'tomorrow 9:00'],
    [],
    ['Thursday late'],
    [],
    [],
    [],
    ['next Monday'],
  ]);
});
