import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuickAdd, type QuickAdd } from './title.ts';

/** Runs a describe block's tests with local time in `zone` (Node reads TZ whenever it is set). */
function inZone(zone: string) {
  const before = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = zone;
  });
  afterAll(() => {
    process.env.TZ = before;
  });
}

const local = (...parts: [number, number, number, number?, number?]) =>
  new Date(parts[0], parts[1] - 1, parts[2], parts[3] ?? 0, parts[4] ?? 0);
/** Tuesday 1 December 2026, 10:00 local (made after TZ is set, so in the zone of the test). */
const tuesday = () => local(2026, 12, 1, 10, 0);
/** Friday 4 December 2026, 10:00 local. */
const friday = () => local(2026, 12, 4, 10, 0);

/** What a parse found, in short: the title, the due date (local ISO-like), the priority. */
const summary = ({ title, due, priority }: QuickAdd) => ({
  title,
  due: due && { text: due.text, at: due.dueAt.toISOString(), allDay: due.allDay },
  priority: priority?.priority,
});

describe('parseQuickAdd in Auckland (UTC+13 in December)', () => {
  inZone('Pacific/Auckland');

  it('takes the date, the time and the priority out of the title', () => {
    const parsed = parseQuickAdd('Call mum tomorrow 18:00 !high', { now: tuesday() });
    expect(summary(parsed)).toEqual({
      title: 'Call mum',
      // Wednesday 2 December, 18:00 in Auckland.
      due: { text: 'tomorrow 18:00', at: '2026-12-02T05:00:00.000Z', allDay: false },
      priority: 'high',
    });
    expect(parsed.due?.dueAt).toEqual(local(2026, 12, 2, 18, 0));
    expect(parsed.parts.map(({ kind, text, start, end }) => ({ kind, text, start, end }))).toEqual([
      { kind: 'due', text: 'tomorrow 18:00', start: 9, end: 23 },
      { kind: 'priority', text: '!high', start: 24, end: 29 },
    ]);
  });

  it('reads a date without a time as all day: local midnight', () => {
    const parsed = parseQuickAdd('Pay rent fri', { now: tuesday() });
    expect(summary(parsed)).toEqual({
      title: 'Pay rent',
      due: { text: 'fri', at: '2026-12-03T11:00:00.000Z', allDay: true },
      priority: undefined,
    });
    expect(parsed.due?.dueAt).toEqual(local(2026, 12, 4));
  });

  it('reads the ways people write a day and a time', () => {
    const due = (text: string) => parseQuickAdd(text, { now: tuesday() }).due?.dueAt;
    expect(due('Dentist tomorrow')).toEqual(local(2026, 12, 2));
    expect(due('Dentist today')).toEqual(local(2026, 12, 1));
    expect(due('Dentist tonight 9pm')).toEqual(local(2026, 12, 1, 21, 0));
    expect(due('Dentist thu')).toEqual(local(2026, 12, 3));
    expect(due('Dentist Thursday 9:15')).toEqual(local(2026, 12, 3, 9, 15));
    expect(due('Dentist next mon')).toEqual(local(2026, 12, 7));
    expect(due('Dentist this friday at 4pm')).toEqual(local(2026, 12, 4, 16, 0));
    expect(due('Dentist 24 Dec')).toEqual(local(2026, 12, 24));
    expect(due('Dentist Dec 24 5pm')).toEqual(local(2026, 12, 24, 17, 0));
    expect(due('Dentist 3rd of January')).toEqual(local(2027, 1, 3));
    expect(due('Dentist May 5 2027')).toEqual(local(2027, 5, 5));
    expect(due('Dentist 2027-01-05')).toEqual(local(2027, 1, 5));
    expect(due('Dentist 24/12/2026')).toEqual(local(2026, 12, 24));
    expect(due('Dentist in 3 days')).toEqual(local(2026, 12, 4));
    expect(due('Dentist in 2 weeks')).toEqual(local(2026, 12, 15));
    expect(due('Dentist at 4:30pm')).toEqual(local(2026, 12, 1, 16, 30));
    expect(due('Lunch at noon')).toEqual(local(2026, 12, 1, 12, 0));
    expect(due('Call Sam at 5pm')).toEqual(local(2026, 12, 1, 17, 0));
    expect(due('Call Sam 5 pm')).toEqual(local(2026, 12, 1, 17, 0));
    expect(due('Standup 11:30')).toEqual(local(2026, 12, 1, 11, 30));
    expect(due('Standup at 11:30')).toEqual(local(2026, 12, 1, 11, 30));
  });

  it('takes "on", "by", "due" and "at" with the date, and mends the punctuation around it', () => {
    const title = (text: string) => parseQuickAdd(text, { now: tuesday() }).title;
    expect(title('Submit report by friday')).toBe('Submit report');
    expect(title('Pay rent on fri')).toBe('Pay rent');
    expect(title('Tax return due 24 Dec')).toBe('Tax return');
    expect(title('Call Sam at 5pm')).toBe('Call Sam');
    expect(title('Call mum, tomorrow')).toBe('Call mum');
    expect(title('Call mum tomorrow, then bake')).toBe('Call mum, then bake');
    expect(title('!high Fix the sink')).toBe('Fix the sink');
    expect(title('tomorrow: fix the sink')).toBe('fix the sink');
    expect(title('Fix   the sink   tomorrow  ')).toBe('Fix   the sink');
  });

  it('knows the priorities !high, !medium (!med) and !low, in any case', () => {
    const priority = (text: string) => parseQuickAdd(text, { now: tuesday() }).priority?.priority;
    expect(priority('Fix the sink !high')).toBe('high');
    expect(priority('Fix the sink !HIGH')).toBe('high');
    expect(priority('Fix the sink !medium')).toBe('medium');
    expect(priority('Fix the sink !med')).toBe('medium');
    expect(priority('Fix the sink !low')).toBe('low');
    for (const text of [
      'Fix the sink!high',
      'Fix the sink !urgent',
      'Fix the sink !highest',
      'Fix !high-ish',
    ])
      expect(parseQuickAdd(text, { now: tuesday() }), text).toEqual({ title: text, parts: [] });
  });

  it('takes the last date and the last priority typed; the others stay words', () => {
    expect(
      summary(parseQuickAdd('Call mum tomorrow and pay rent friday !low !high', { now: tuesday() })),
    ).toEqual({
      title: 'Call mum tomorrow and pay rent !low',
      due: { text: 'friday', at: '2026-12-03T11:00:00.000Z', allDay: true },
      priority: 'high',
    });
  });

  it('leaves plain titles exactly as typed, but trimmed', () => {
    for (const text of [
      'buy some cheese',
      'feed the cat',
      'book a doctors appointment',
      "Read May's letter",
      'March on',
      'Get some sun',
      'Watch the sun set',
      'Buy a sat nav',
      'Get wed',
      'Do it now',
      'Meet at 5',
      'Read 1/2 of the book',
      'Fix bug 13/5',
      'Walk for 2 hours',
      'A day in the life',
      'Back in a minute',
      'Morning jog',
      'Afternoon tea',
      'Read John 3:16',
      "Friday's meeting",
      'Tuesdays with Morrie',
      'Monkey business',
      'Deploy v1.2.10',
      'Call 0800 123 456',
      'May 2026 report',
      'Yesterday by the Beatles',
      'The weekend',
      'Finish the 5th chapter',
      'Move the meeting from monday to friday',
      'Order 4x4 wood',
      'Buy 2 apples',
      'Midnight snack',
      'wow!high',
    ])
      expect(parseQuickAdd(text, { now: tuesday() }), text).toEqual({ title: text, parts: [] });
    expect(parseQuickAdd('  buy   some cheese  ', { now: tuesday() })).toEqual({
      title: 'buy   some cheese',
      parts: [],
    });
  });

  it('leaves a numeric date that reads two ways in the title, and says both readings', () => {
    const parsed = parseQuickAdd('Pay the bill 03/04/2026', { now: tuesday() });
    expect(parsed).toEqual({
      title: 'Pay the bill 03/04/2026',
      parts: [],
      ambiguous: {
        text: '03/04/2026',
        start: 13,
        end: 23,
        dayFirst: { words: '3 April', iso: '2026-04-03' },
        monthFirst: { words: '4 March', iso: '2026-03-04' },
      },
    });
    // One way only: 31/12 and 12/31 are both 31 December.
    expect(parseQuickAdd('Pay 31/12/2026', { now: tuesday() }).due?.dueAt).toEqual(local(2026, 12, 31));
    expect(parseQuickAdd('Pay 12/31/2026', { now: tuesday() }).due?.dueAt).toEqual(local(2026, 12, 31));
  });

  it('takes nothing out when nothing would be left of the title', () => {
    for (const text of ['tomorrow', 'fri 9am', '!high', 'tomorrow !high', ' at 5pm '])
      expect(parseQuickAdd(text, { now: tuesday() }), text).toEqual({ title: text.trim(), parts: [] });
  });

  it('leaves the parts a person kept as words', () => {
    const text = 'Call mum tomorrow 18:00 !high';
    expect(summary(parseQuickAdd(text, { now: tuesday(), keep: ['tomorrow 18:00'] }))).toEqual({
      title: 'Call mum tomorrow 18:00',
      due: undefined,
      priority: 'high',
    });
    expect(parseQuickAdd(text, { now: tuesday(), keep: ['tomorrow 18:00', '!high'] })).toEqual({
      title: text,
      parts: [],
    });
    // Kept, the last date steps aside for the one before it.
    expect(parseQuickAdd('Call mum tomorrow or friday', { now: tuesday(), keep: ['friday'] }).due?.text).toBe(
      'tomorrow',
    );
  });

  it('looks only for what it is asked to (the CLI’s --due and --priority win)', () => {
    const text = 'Call mum tomorrow 18:00 !high';
    expect(summary(parseQuickAdd(text, { now: tuesday(), dates: false }))).toEqual({
      title: 'Call mum tomorrow 18:00',
      due: undefined,
      priority: 'high',
    });
    expect(summary(parseQuickAdd(text, { now: tuesday(), priorities: false })).title).toBe('Call mum !high');
  });
});

describe('parseQuickAdd: a day or a time that has passed means the next one', () => {
  inZone('America/Los_Angeles');

  it('"fri" on a Friday is today; with a time that has passed, next Friday', () => {
    const due = (text: string) => parseQuickAdd(text, { now: friday() }).due?.dueAt;
    expect(due('Pay rent fri')).toEqual(local(2026, 12, 4));
    expect(due('Pay rent fri 11am')).toEqual(local(2026, 12, 4, 11, 0));
    expect(due('Pay rent fri 9am')).toEqual(local(2026, 12, 11, 9, 0));
    expect(due('Pay rent next fri')).toEqual(local(2026, 12, 11));
    // A weekday after today is this week's.
    expect(parseQuickAdd('Pay rent thu', { now: tuesday() }).due?.dueAt).toEqual(local(2026, 12, 3));
  });

  it('a time alone is today, or tomorrow once it has passed; "today" stays today', () => {
    const due = (text: string) => parseQuickAdd(text, { now: friday() }).due?.dueAt;
    expect(due('Call Sam at 5pm')).toEqual(local(2026, 12, 4, 17, 0));
    expect(due('Standup 09:30')).toEqual(local(2026, 12, 5, 9, 30));
    expect(due('Standup today 9am')).toEqual(local(2026, 12, 4, 9, 0));
  });

  it('a day and month that have passed are next year’s; with a year, as written', () => {
    const due = (text: string) => parseQuickAdd(text, { now: friday() }).due?.dueAt;
    expect(due('Birthday 1 Dec')).toEqual(local(2027, 12, 1));
    expect(due('Birthday 1 Dec 2026')).toEqual(local(2026, 12, 1));
  });

  it('the same words are other instants in another zone (UTC−8 here)', () => {
    const parsed = parseQuickAdd('Call mum tomorrow 18:00 !high', { now: tuesday() });
    expect(parsed.due?.dueAt.toISOString()).toBe('2026-12-03T02:00:00.000Z');
    expect(parseQuickAdd('Pay rent fri', { now: tuesday() }).due?.dueAt.toISOString()).toBe(
      '2026-12-04T08:00:00.000Z',
    );
  });
});

describe('parseQuickAdd across a clock change (London, summer time ends Sunday 25 October 2026)', () => {
  inZone('Europe/London');

  it('counts the day after in that day’s offset', () => {
    const saturday = local(2026, 10, 24, 10, 0);
    expect(saturday.toISOString()).toBe('2026-10-24T09:00:00.000Z');
    const at = (text: string) => parseQuickAdd(text, { now: saturday }).due?.dueAt.toISOString();
    expect(at('Call mum tomorrow 18:00')).toBe('2026-10-25T18:00:00.000Z');
    expect(at('Call mum tomorrow')).toBe('2026-10-24T23:00:00.000Z');
    expect(at('Call mum mon 9am')).toBe('2026-10-26T09:00:00.000Z');
  });
});
