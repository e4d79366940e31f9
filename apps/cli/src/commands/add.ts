import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { describeTodo } from '../format.ts';
import {
  DUE_DETAILS,
  DUE_OPTION,
  dateReader,
  dueEcho,
  dueOption,
  jsonOption,
  LIST_DETAILS,
  LIST_OPTION,
  PRIORITY_OPTION,
  priorityOption,
} from '../options.ts';
import { print, printJson } from '../output.ts';
import { aboutList, listOption, quoted } from '../resolve-lists.ts';
import { session } from '../session.ts';

export const QUICK_ADD_DETAILS =
  'In the title: today, tomorrow, tonight, a weekday (fri, next monday), a day and month (24 Dec, 3rd of May), 2026-12-24 or 24/12/2026, "in 3 days", each with or without a time (18:00, 5pm, at 9:30); a time alone (5pm, at 9:30) is today, or tomorrow once it has passed; and !high, !medium (!med) or !low. Of each, the last one counts. Ordinary words stay: "get some sun", "March on", "Meet at 5" (say 5pm). A numeric date that reads two ways stays in the title too. --due and --priority win over words in the title, which then stay in it.';

export const addCommand = defineCommand({
  name: 'add',
  args: '<title>',
  summary: 'Add a todo',
  options: {
    due: DUE_OPTION,
    priority: PRIORITY_OPTION,
    description: { type: 'string', value: '<text>', help: 'A longer note' },
    list: LIST_OPTION,
    json: jsonOption('Print the new todo as JSON'),
  },
  details: [
    'The words after `add` make up the title; a due date and a priority in it are taken out (quote a title with ! in single quotes: shells read !word as history):',
    "  todo add 'Call mum tomorrow 18:00 !high'",
    '  todo add Call the bank --due "friday 17:00" --priority high',
    QUICK_ADD_DETAILS,
    DUE_DETAILS,
    LIST_DETAILS,
    'It says the due date and the priority it understood, the date in your time zone. With --json: the new todo.',
  ],
  async run(context) {
    const { io, values } = context;
    const typed = context.args.join(' ').trim();
    if (!typed) throw usageError('Give the todo a title: todo add <title>');
    const given = { dueAt: await dueOption(values.due), priority: priorityOption(values.priority) };
    // The web app's new-todo input reads titles with the same parser.
    const { parseQuickAdd } = await dateReader();
    const quick = parseQuickAdd(typed, {
      dates: given.dueAt === undefined,
      priorities: given.priority === undefined,
    });
    if (quick.ambiguous) {
      const { text, dayFirst, monthFirst } = quick.ambiguous;
      io.stderr.write(
        `todo: "${text}" stays in the title: it could be ${dayFirst.words} or ${monthFirst.words}. For a due date, write ${dayFirst.iso} or ${monthFirst.iso}.\n`,
      );
    }
    const dueAt = given.dueAt !== undefined ? given.dueAt : quick.due?.dueAt.toISOString();
    const priority = given.priority ?? quick.priority?.priority;
    const { api } = await session(context);
    const list = await listOption(api, values.list);
    const input = { title: quick.title, description: values.description, dueAt, priority, listId: list?.id };
    const todo = await (list
      ? aboutList(list, api.todo.create.mutate(input))
      : api.todo.create.mutate(input));
    if (values.json) return void printJson(io, todo);
    print(io, `Added${list ? ` to ${quoted(list)}` : ''}: ${describeTodo(todo)}`);
    if (dueAt !== undefined) print(io, dueEcho(todo.dueAt));
    if (todo.priority !== 'none') print(io, `Priority: ${todo.priority}`);
  },
});
