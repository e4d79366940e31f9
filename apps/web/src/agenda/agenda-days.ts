// The days of the Today and Upcoming views, in the browser's time zone (the person's, as
// everywhere in the app): where each view's due range starts and ends, and Upcoming's days.
import { dueLabel } from '../todos/due-date.ts';
import { type ListInput, PAGE_SIZE } from '../todos/todo-keys.ts';
import type { Todo } from '../trpc.ts';

/** How many days Upcoming shows, from tomorrow. */
export const UPCOMING_DAYS = 7;

/** Midnight, `days` after the day of `now`, on the local wall clock (a day of 23 or 25 hours
 * across a change to or from summer time is still one day). */
export function dayStart(now: Date, days = 0): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
}

/**
 * The `todo.list` inputs of the views on the day of `now`, across every list, soonest first:
 * - overdue: not done, due before today (done ones would pile up there for ever);
 * - today: due today, done or not, so that a todo ticked off stays in sight;
 * - upcoming: due in the UPCOMING_DAYS after today, done or not.
 */
export function agendaInputs(now: Date): Record<'overdue' | 'today' | 'upcoming', ListInput> {
  const today = dayStart(now).toISOString();
  const tomorrow = dayStart(now, 1).toISOString();
  const base = { allLists: true, order: 'due', limit: PAGE_SIZE } as const;
  return {
    overdue: { ...base, filter: 'active', dueBefore: today },
    today: { ...base, dueAfter: today, dueBefore: tomorrow },
    upcoming: { ...base, dueAfter: tomorrow, dueBefore: dayStart(now, 1 + UPCOMING_DAYS).toISOString() },
  };
}

export type Day = { start: Date; name: string; todos: Todo[] };

/** Upcoming's days, tomorrow first, each named ("Tomorrow", "Wed 9 Dec") with its todos in the
 * order given; a todo outside them is left out. */
export function upcomingDays(todos: Todo[], now: Date): Day[] {
  const days: Day[] = Array.from({ length: UPCOMING_DAYS }, (_, index) => {
    const start = dayStart(now, 1 + index);
    return { start, name: dueLabel(start.toISOString(), now).text, todos: [] };
  });
  const end = dayStart(now, 1 + UPCOMING_DAYS);
  for (const todo of todos) {
    const due = todo.dueAt ? new Date(todo.dueAt) : null;
    if (!due || due >= end) continue;
    days.findLast((day) => day.start <= due)?.todos.push(todo);
  }
  return days;
}
