import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { formatTable, plural } from '../format.ts';
import { jsonOption, LIST_DETAILS, LIST_OPTION, sortOption } from '../options.ts';
import { print, printJson, useColor } from '../output.ts';
import { aboutList, listOption, quoted } from '../resolve-lists.ts';
import { listAll } from '../resolve-todos.ts';
import { session } from '../session.ts';

export const lsCommand = defineCommand({
  name: 'ls',
  summary: 'List todos with short ids',
  options: {
    active: { type: 'boolean', help: 'Only the todos still to do' },
    completed: { type: 'boolean', help: 'Only the completed todos' },
    search: { type: 'string', value: '<text>', help: 'Only those whose title or description has it' },
    sort: { type: 'string', value: '<order>', help: 'manual (default), due, priority, newest, oldest' },
    list: LIST_OPTION,
    json: jsonOption('Print {"todos","counts"} as JSON'),
  },
  details: [
    '--search matches the title or the description, ignoring case.',
    LIST_DETAILS,
    '--sort is manual (your own order, as in the web app; the default), due (soonest first, none last), priority (high first), newest or oldest. Due dates are local; "!" marks an overdue one.',
    'With --json: {"todos":[…],"counts":{"all":…,"active":…,"completed":…}}, the todos in that order and the counts of the whole list.',
  ],
  async run(context) {
    const { io, values } = context;
    if (context.args.length > 0) throw usageError('todo ls takes no arguments (did you mean --search?).');
    if (values.active && values.completed) throw usageError('Give --active or --completed, not both.');
    const filter = values.active ? 'active' : values.completed ? 'completed' : 'all';
    const order = sortOption(values.sort);
    const { api } = await session(context);
    const list = await listOption(api, values.list);
    const listId = list?.id;
    const reading = Promise.all([
      listAll(api, { filter, search: values.search || undefined, order, listId }),
      api.todo.counts.query({ listId }),
    ]);
    const [todos, counts] = await (list ? aboutList(list, reading) : reading);
    if (values.json) return void printJson(io, { todos, counts });
    const narrowed = filter !== 'all' || Boolean(values.search);
    const where = list ? ` in ${quoted(list)}` : '';
    if (todos.length === 0)
      print(
        io,
        narrowed
          ? 'No matching todos.'
          : list
            ? `No todos${where} yet.`
            : 'No todos yet. Add one with `todo add <title>`.',
      );
    else print(io, formatTable(todos, { now: new Date(), color: useColor(io) }));
    print(io, `\n${plural(counts.active, 'item')} left, ${counts.completed} completed${where}.`);
  },
});
