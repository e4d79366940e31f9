import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { describeTodo } from '../format.ts';
import {
  DUE_DETAILS,
  DUE_OPTION,
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
    'The words after `add` make up the title:',
    '  todo add Call the bank --due "friday 17:00" --priority high',
    DUE_DETAILS,
    LIST_DETAILS,
    'It says the due date it understood, in your time zone. With --json: the new todo.',
  ],
  async run(context) {
    const { values } = context;
    const title = context.args.join(' ').trim();
    if (!title) throw usageError('Give the todo a title: todo add <title>');
    const dueAt = await dueOption(values.due);
    const priority = priorityOption(values.priority);
    const { api } = await session(context);
    const list = await listOption(api, values.list);
    const input = { title, description: values.description, dueAt, priority, listId: list?.id };
    const todo = await (list
      ? aboutList(list, api.todo.create.mutate(input))
      : api.todo.create.mutate(input));
    if (values.json) return void printJson(context.io, todo);
    print(context.io, `Added${list ? ` to ${quoted(list)}` : ''}: ${describeTodo(todo)}`);
    if (dueAt !== undefined) print(context.io, dueEcho(todo.dueAt));
  },
});
