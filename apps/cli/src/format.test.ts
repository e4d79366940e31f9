import type { RouterOutputs } from '@todo/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeChange, formatTable } from './format.ts';

type Todo = RouterOutputs['todo']['get'];

const zone = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'Europe/Berlin';
});
afterAll(() => {
  process.env.TZ = zone;
});

/** Tuesday 1 December 2026, 10:00 in Berlin. */
const now = () => new Date(2026, 11, 1, 10, 0);
let ids = 0;
const todo = (fields: Partial<Todo>): Todo => ({
  id: `${String(++ids).padStart(8, '0')}-0000-4000-8000-000000000000`,
  title: 'A todo',
  listId: '00000000-0000-4000-8000-0000000000aa',
  createdBy: null,
  updatedBy: null,
  description: null,
  completed: false,
  dueAt: null,
  priority: 'none',
  position: ids,
  createdAt: '2026-12-01T08:00:00.000Z',
  updatedAt: '2026-12-01T08:00:00.000Z',
  ...fields,
});

describe('formatTable', () => {
  const todos = () => {
    ids = 0;
    return [
      todo({ title: 'Pay rent', dueAt: new Date(2026, 10, 30).toISOString(), priority: 'high' }),
      todo({ title: 'Call the bank', dueAt: new Date(2026, 11, 1, 17, 0).toISOString() }),
      todo({
        title: 'Buy milk',
        completed: true,
        dueAt: new Date(2026, 10, 30).toISOString(),
        priority: 'low',
      }),
      todo({ title: 'Renew passport', dueAt: new Date(2027, 0, 5).toISOString(), priority: 'medium' }),
    ];
  };

  it('lines up due and priority columns; "!" marks an active todo that is overdue', () => {
    expect(formatTable(todos(), { now: now(), color: false }).split('\n')).toEqual([
      'ID        DONE  DUE          PRIORITY  TITLE',
      '00000001  [ ]   Yesterday !  high      Pay rent',
      '00000002  [ ]   Today 17:00            Call the bank',
      '00000003  [x]   Yesterday    low       Buy milk',
      '00000004  [ ]   2027-01-05   medium    Renew passport',
    ]);
  });

  it('colours an overdue date red when asked, keeping the columns where they were', () => {
    const lines = formatTable(todos(), { now: now(), color: true }).split('\n');
    expect(lines[1]).toBe(`${lines[1]?.slice(0, 16)}\u001b[31mYesterday !\u001b[39m  high      Pay rent`);
    expect(lines.slice(2).join('\n')).not.toContain('\u001b[');
    expect(lines[1]?.replace('\u001b[31m', '').replace('\u001b[39m', '')).toBe(
      '00000001  [ ]   Yesterday !  high      Pay rent',
    );
  });

  it('keeps the DUE header wide enough when no todo has a due date', () => {
    ids = 0;
    expect(formatTable([todo({ title: 'Plain' })], { now: now(), color: false })).toBe(
      `ID        DONE  DUE  PRIORITY  TITLE\n00000001  [ ]${' '.repeat(18)}Plain`,
    );
  });
});

describe('describeChange', () => {
  it('words a new due date or priority', () => {
    const before = todo({ title: 'Buy milk' });
    expect(
      describeChange(
        { type: 'upsert', todo: { ...before, dueAt: new Date(2026, 11, 2, 9, 0).toISOString() } },
        before,
        now(),
      ),
    ).toBe(`~ due        ${before.id.slice(0, 8)}  Buy milk (Tomorrow 09:00)`);
    expect(describeChange({ type: 'upsert', todo: { ...before, priority: 'high' } }, before, now())).toBe(
      `~ priority   ${before.id.slice(0, 8)}  Buy milk (high)`,
    );
    expect(
      describeChange(
        { type: 'upsert', todo: before },
        { ...before, dueAt: '2026-12-24T00:00:00.000Z' },
        now(),
      ),
    ).toBe(`~ due        ${before.id.slice(0, 8)}  Buy milk (no due date)`);
  });
});
