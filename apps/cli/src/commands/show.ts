import { defineCommand } from '../command.ts';
import { formatTodo } from '../format.ts';
import { ID_DETAILS, jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { resolveOne } from '../resolve-todos.ts';
import { session } from '../session.ts';

export const showCommand = defineCommand({
  name: 'show',
  args: '<id>',
  summary: 'Show a todo in full, description included',
  options: { json: jsonOption('Print the todo as JSON') },
  details: [ID_DETAILS, 'Dates and times are local. With --json: the todo.'],
  async run(context) {
    const { api } = await session(context);
    const todo = await resolveOne(context, api);
    if (context.values.json) printJson(context.io, todo);
    else print(context.io, formatTodo(todo));
  },
});
