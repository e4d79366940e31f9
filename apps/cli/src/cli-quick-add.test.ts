// `todo add` reads a due date and a priority written in the title, with the parser the web app's
// input uses (@todo/client/quick-add, unit-tested there with a fixed clock). Here: the compiled
// CLI against a real server, in the zone TZ names, on today's real date.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliServer, dayInZone, json, MANY_RUNS, startCliServer, wallClock } from './testing.ts';

describe('todo add with a date and a priority in the title', () => {
  let cli: CliServer;
  beforeAll(async () => {
    cli = await startCliServer();
  });
  afterAll(async () => {
    await cli?.close();
  });

  it(
    'takes them out of the title, reads the date in the local zone (TZ) and says what it understood',
    async () => {
      const { todo, newUser } = cli;
      const zone = 'Pacific/Auckland';
      const here = await newUser('Quick Add', 'quick-add@example.com', 'quick add password', { TZ: zone });

      // One quoted title, or the words one by one as a shell splits them: the same todo.
      for (const args of [['Call mum tomorrow 18:00 !high'], ['Call', 'mum', 'tomorrow', '18:00', '!high']]) {
        const added = json(await todo(['add', ...args, '--json'], { env: here }));
        expect(added).toMatchObject({ title: 'Call mum', priority: 'high' });
        expect(wallClock(added.dueAt, zone)).toMatchObject({ date: dayInZone(1, zone), time: '18:00' });
      }
      // The same words in New York are 18:00 there: another instant.
      const newYork = 'America/New_York';
      const there = json(
        await todo(['add', 'Call mum tomorrow 18:00', '--json'], { env: { ...here, TZ: newYork } }),
      );
      expect(wallClock(there.dueAt, newYork)).toMatchObject({ date: dayInZone(1, newYork), time: '18:00' });

      // "fri" is the coming Friday (today, on a Friday), all day; the echo says it in full.
      const friday = await todo(['add', 'Pay rent fri !low'], { env: here });
      expect(friday.stderr).toBe('');
      expect(friday.stdout).toMatch(
        /^Added: [0-9a-f]{8} {2}Pay rent\nDue: {3}Fri \d{1,2} \w{3} \d{4}, all day \((today|tomorrow|in [2-6] days)\), Pacific\/Auckland time\nPriority: low\n$/,
      );
      const [rent] = json(await todo(['ls', '--json'], { env: here })).todos.filter(
        (item: { title: string }) => item.title === 'Pay rent',
      );
      expect(wallClock(rent.dueAt, zone)).toMatchObject({ weekday: 'Fri', time: '00:00' });
      const days =
        (Date.parse(wallClock(rent.dueAt, zone).date) - Date.parse(dayInZone(0, zone))) / 86_400_000;
      expect(days).toBeGreaterThanOrEqual(0);
      expect(days).toBeLessThan(7);

      // A time alone is today's, or tomorrow's once it has passed: never in the past.
      const call = json(await todo(['add', 'Call Sam at 5pm', '--json'], { env: here }));
      expect(call.title).toBe('Call Sam');
      expect(wallClock(call.dueAt, zone).time).toBe('17:00');
      expect(Date.parse(call.dueAt)).toBeGreaterThan(Date.now());
      expect(Date.parse(call.dueAt)).toBeLessThanOrEqual(Date.now() + 86_400_000);
    },
    MANY_RUNS,
  );

  it(
    'leaves plain titles as typed, and a numeric date that reads two ways in the title, saying why',
    async () => {
      const { todo, newUser } = cli;
      const here = await newUser('Plain Titles', 'plain@example.com', 'plain titles password', {
        TZ: 'Europe/London',
      });
      for (const title of ['buy some cheese', "Read May's letter", 'March on', 'Meet at 5', 'Get some sun']) {
        const added = json(await todo(['add', title, '--json'], { env: here }));
        expect(added, title).toMatchObject({ title, dueAt: null, priority: 'none' });
      }
      const bill = await todo(['add', 'Pay the bill 03/04/2026'], { env: here });
      expect(bill.code).toBe(0);
      expect(bill.stdout).toMatch(/^Added: [0-9a-f]{8} {2}Pay the bill 03\/04\/2026\n$/);
      expect(bill.stderr).toBe(
        'todo: "03/04/2026" stays in the title: it could be 3 April or 4 March. For a due date, write 2026-04-03 or 2026-03-04.\n',
      );
      const oneWay = json(await todo(['add', 'Pay the bill 31/12/2099', '--json'], { env: here }));
      expect(oneWay).toMatchObject({ title: 'Pay the bill', dueAt: '2099-12-31T00:00:00.000Z' });
    },
    MANY_RUNS,
  );

  it(
    '--due and --priority win: the words in the title then stay in it',
    async () => {
      const { todo, newUser } = cli;
      const zone = 'Europe/Berlin';
      const here = await newUser('Flags Win', 'flags-win@example.com', 'flags win password', { TZ: zone });
      const both = json(
        await todo(['add', 'Call mum tomorrow !high', '--due', '2099-12-31', '--priority', 'low', '--json'], {
          env: here,
        }),
      );
      expect(both).toMatchObject({ title: 'Call mum tomorrow !high', priority: 'low' });
      expect(wallClock(both.dueAt, zone)).toMatchObject({ date: '2099-12-31', time: '00:00' });
      const due = json(
        await todo(['add', 'Call mum tomorrow !high', '--due', '2099-12-31', '--json'], { env: here }),
      );
      expect(due).toMatchObject({ title: 'Call mum tomorrow', priority: 'high' });
      expect(wallClock(due.dueAt, zone).date).toBe('2099-12-31');
      const priority = json(
        await todo(['add', 'Call mum tomorrow !high', '--priority', 'none', '--json'], { env: here }),
      );
      expect(priority).toMatchObject({ title: 'Call mum !high', priority: 'none' });
      expect(wallClock(priority.dueAt, zone)).toMatchObject({ date: dayInZone(1, zone), time: '00:00' });
    },
    MANY_RUNS,
  );
});
