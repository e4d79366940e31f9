import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aTodo, type CliServer, dayInZone, json, MANY_RUNS, startCliServer, wallClock } from './testing.ts';

describe('todo add and edit with --due and --priority', () => {
  let cli: CliServer;
  beforeAll(async () => {
    cli = await startCliServer();
  });
  afterAll(async () => {
    await cli?.close();
  });

  it(
    'add and edit take --due in the local time zone (TZ) and --priority; show prints both',
    async () => {
      const { todo, newUser } = cli;
      const zone = 'Pacific/Auckland';
      const here = await newUser('Due Dates', 'due@example.com', 'due password', { TZ: zone });

      // A date alone is local midnight (all day): Auckland is 13 hours ahead of UTC in December.
      const christmas = json(
        await todo(['add', 'Christmas', '--due', '2026-12-24', '--priority', 'high', '--json'], {
          env: here,
        }),
      );
      expect(christmas).toEqual(
        aTodo({ title: 'Christmas', dueAt: '2026-12-23T11:00:00.000Z', priority: 'high' }),
      );
      const timed = json(await todo(['add', 'Timed', '--due', '2026-12-24 17:00', '--json'], { env: here }));
      expect(timed).toMatchObject({ dueAt: '2026-12-24T04:00:00.000Z', priority: 'none' });
      // The same words in another zone are another instant.
      const newYork = json(
        await todo(['add', 'Timed', '--due', '2026-12-24 17:00', '--json'], {
          env: { ...here, TZ: 'America/New_York' },
        }),
      );
      expect(newYork.dueAt).toBe('2026-12-24T22:00:00.000Z');

      const tomorrow = json(await todo(['add', 'Tomorrow', '--due', 'tomorrow', '--json'], { env: here }));
      expect(wallClock(tomorrow.dueAt, zone)).toMatchObject({ date: dayInZone(1, zone), time: '00:00' });
      const friday = json(await todo(['add', 'Friday', '--due', 'friday 17:00', '--json'], { env: here }));
      expect(wallClock(friday.dueAt, zone)).toMatchObject({ weekday: 'Fri', time: '17:00' });
      expect(Date.parse(friday.dueAt)).toBeGreaterThan(Date.now());
      expect(Date.parse(friday.dueAt)).toBeLessThanOrEqual(Date.now() + 7 * 86_400_000);
      // Other natural phrases: a day without a time is all day, one with a time keeps it.
      // (The parsing of many more phrases is unit-tested in packages/client/src/quick-add.)
      const inThreeDays = json(await todo(['add', 'Later', '--due', 'in 3 days', '--json'], { env: here }));
      expect(wallClock(inThreeDays.dueAt, zone)).toMatchObject({ date: dayInZone(3, zone), time: '00:00' });
      for (const [phrase, time] of [
        ['dec 24 5pm', '17:00'],
        ['Monday 8am', '08:00'],
      ] as const) {
        const added = json(await todo(['add', phrase, '--due', phrase, '--json'], { env: here }));
        expect(wallClock(added.dueAt, zone).time, phrase).toBe(time);
      }

      const show = await todo(['show', christmas.id], { env: here });
      expect(show.code).toBe(0);
      expect(show.stdout).toMatch(
        /\nDue {10}Thu 24 Dec 2026, all day \((in \d+ days|tomorrow|today|overdue)\)\n/,
      );
      expect(show.stdout).toContain('\nPriority     high\n');
      expect((await todo(['show', timed.id], { env: here })).stdout).toMatch(
        /\nDue {10}Thu 24 Dec 2026 17:00 \(/,
      );

      // edit: a new due date and priority, then none.
      const edited = json(
        await todo(
          ['edit', christmas.id.slice(0, 8), '--due', '2026-12-25 08:00', '--priority', 'low', '--json'],
          { env: here },
        ),
      );
      expect(edited).toMatchObject({
        id: christmas.id,
        title: 'Christmas',
        dueAt: '2026-12-24T19:00:00.000Z',
        priority: 'low',
      });
      const cleared = json(
        await todo(['edit', christmas.id, '--due', 'none', '--priority', 'none', '--json'], { env: here }),
      );
      expect(cleared).toMatchObject({ id: christmas.id, dueAt: null, priority: 'none' });
      expect((await todo(['show', christmas.id], { env: here })).stdout).toContain(
        '\nDue          (none)\nPriority     none\n',
      );
      // --json carries the API's Todo as it is.
      expect(json(await todo(['show', christmas.id, '--json'], { env: here }))).toEqual(cleared);
      const plain = await todo(['edit', christmas.id, '--due', 'tomorrow'], { env: here });
      // It says the date it understood, in the zone it read it in.
      expect(plain.stderr).toBe('');
      expect(plain.stdout).toMatch(
        new RegExp(
          `^Edited: ${christmas.id.slice(0, 8)}  Christmas\nDue: {3}\\w{3} \\d{1,2} \\w{3} \\d{4}, all day \\(tomorrow\\), Pacific/Auckland time\n$`,
        ),
      );
    },
    MANY_RUNS,
  );

  it(
    'refuses a --due that is not a date, and an unknown --priority or --sort, with exit code 2 and nothing changed',
    async () => {
      const { todo, newUser } = cli;
      const here = await newUser('Bad Input', 'bad-due@example.com', 'bad due password', {
        TZ: 'Europe/Berlin',
      });
      const kept = json(
        await todo(['add', 'Kept', '--due', 'tomorrow', '--priority', 'medium', '--json'], { env: here }),
      );

      for (const value of ['someday', 'buy milk tomorrow', '2026-13-45', '']) {
        const run = await todo(['add', 'Never', '--due', value], { env: here });
        expect(run, value).toEqual({
          code: 2,
          stdout: '',
          stderr: `todo: --due "${value}" is not a date; try 2026-12-24, tomorrow, "friday 17:00" or none.\n`,
        });
      }
      expect((await todo(['edit', kept.id, '--due', 'someday'], { env: here })).code).toBe(2);
      for (const value of ['urgent', 'HIGH', '']) {
        const run = await todo(['add', 'Never', '--priority', value], { env: here });
        expect(run, value).toEqual({
          code: 2,
          stdout: '',
          stderr: `todo: --priority must be none, low, medium or high, not "${value}".\n`,
        });
      }
      expect((await todo(['edit', kept.id, '--priority', 'urgent'], { env: here })).code).toBe(2);
      const sort = await todo(['ls', '--sort', 'random'], { env: here });
      expect(sort).toEqual({
        code: 2,
        stdout: '',
        stderr: 'todo: --sort must be manual, due, priority, newest or oldest, not "random".\n',
      });
      expect((await todo(['edit', kept.id], { env: here })).stderr).toContain(
        'Give --title, --description, --due or --priority.',
      );
      // --due and --priority belong to add and edit only.
      expect((await todo(['ls', '--due', 'tomorrow'], { env: here })).code).toBe(2);
      expect(json(await todo(['ls', '--json'], { env: here })).todos).toEqual([kept]);
    },
    MANY_RUNS,
  );

  it(
    'refuses a numeric date that reads two ways, takes those that read one way, and says the date it understood',
    async () => {
      const { todo, newUser } = cli;
      const zone = 'Europe/London';
      const here = await newUser('Day First', 'day-first@example.com', 'day first password', { TZ: zone });

      const ambiguous = await todo(['add', 'Pay rent', '--due', '03/04/2026'], { env: here });
      expect(ambiguous).toEqual({
        code: 2,
        stdout: '',
        stderr: 'todo: --due "03/04/2026" could be 3 April or 4 March; write 2026-04-03 or 2026-03-04.\n',
      });
      expect(json(await todo(['ls', '--json'], { env: here })).todos).toEqual([]);

      for (const [given, date] of [
        ['31/12/2026', '2026-12-31'],
        ['12/31/2026', '2026-12-31'],
        ['04/04/2026', '2026-04-04'],
        ['2026-04-03', '2026-04-03'],
      ] as const) {
        const added = json(await todo(['add', given, '--due', given, '--json'], { env: here }));
        expect(wallClock(added.dueAt, zone), given).toMatchObject({ date, time: '00:00' });
      }
      const evening = json(
        await todo(['add', 'Evening', '--due', 'tomorrow 18:00', '--json'], { env: here }),
      );
      expect(wallClock(evening.dueAt, zone)).toMatchObject({ date: dayInZone(1, zone), time: '18:00' });
      const friday = json(await todo(['add', 'Friday', '--due', 'next friday', '--json'], { env: here }));
      expect(wallClock(friday.dueAt, zone)).toMatchObject({ weekday: 'Fri', time: '00:00' });
      expect(Date.parse(friday.dueAt)).toBeGreaterThan(Date.now());

      // Without --json, add says the date it understood, in words, in the zone it read it in.
      const timed = await todo(['add', 'Timed', '--due', '31/12/2099 17:00'], { env: here });
      expect(timed.stderr).toBe('');
      expect(timed.stdout).toMatch(
        /^Added: [0-9a-f]{8} {2}Timed\nDue: {3}Thu 31 Dec 2099 17:00 \(in \d+ days\), Europe\/London time\n$/,
      );
      const allDay = await todo(['add', 'All day', '--due', '2099-12-31'], { env: here });
      expect(allDay.stdout).toMatch(
        /\nDue: {3}Thu 31 Dec 2099, all day \(in \d+ days\), Europe\/London time\n$/,
      );
      const none = await todo(['add', 'No date'], { env: here });
      expect(none.stdout).toMatch(/^Added: [0-9a-f]{8} {2}No date\n$/);
    },
    MANY_RUNS,
  );
});
