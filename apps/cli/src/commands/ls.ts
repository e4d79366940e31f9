import type { Command } from '../command.ts';
import { usageError } from '../errors.ts';
import { formatTable, plural } from '../format.ts';
import { sortOption } from '../options.ts';
import { print, printJson, useColor } from '../output.ts';
import { listAll } from '../resolve-todos.ts';
import { session } from '../session.ts';

export const lsCommand: Command = {
  name: 'ls',
  usage: 'todo ls [--active|--completed] [--search …] [--sort …]',
  summary: 'List todos with short ids',
  options: ['active', 'completed', 'search', 'sort', 'json'],
  details:
    '--search matches the title or the description, ignoring case.\n' +
    '--sort is manual (your own order, as in the web app; the default), due (soonest first, none\n' +
    'last), priority (high first), newest or oldest. Due dates are local; "!" marks an overdue one.\n' +
    'With --json: {"todos":[…],"counts":{"all":…,"active":…,"completed":…}}, the todos in that\n' +
    'order and the counts of the whole list.',
  async run(context) {
    const { io, values } = context;
    if (context.args.length > 0) throw usageError('todo ls takes no arguments (did you mean --search?).');
    if (values.active && values.completed) throw usageError('Give --active or --completed, not both.');
    const filter = values.active ? 'active' : values.completed ? 'completed' : 'all';
    const order = sortOption(values.sort);
    const { api } = await session(context);
    const [todos, counts] = await Promise.all([
      listAll(api, { filter, search: values.search || undefined, order }),
      api.todo.counts.query(),
    ]);
    if (values.json) return void printJson(io, { todos, counts });
    const narrowed = filter !== 'all' || Boolean(values.search);
    if (todos.length === 0)
      print(io, narrowed ? 'No matching todos.' : 'No todos yet. Add one with `todo add <title>`.');
    else print(io, formatTable(todos, { now: new Date(), color: useColor(io) }));
    print(io, `\n${plural(counts.active, 'item')} left, ${counts.completed} completed.`);
  },
};
