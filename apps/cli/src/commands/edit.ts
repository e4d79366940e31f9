import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { describeTodo } from '../format.ts';
import {
  DUE_DETAILS,
  DUE_OPTION,
  dueEcho,
  dueOption,
  ID_DETAILS,
  jsonOption,
  PRIORITY_OPTION,
  priorityOption,
} from '../options.ts';
import { print, printJson } from '../output.ts';
import { resolveOne } from '../resolve-todos.ts';
import { session } from '../session.ts';

export const editCommand = defineCommand({
  name: 'edit',
  args: '<id>',
  summary: 'Change the title, description, due or priority',
  options: {
    title: { type: 'string', value: '<text>', help: 'A new title' },
    description: { type: 'string', value: '<text>', help: 'A new description ("" removes it)' },
    due: { ...DUE_OPTION, help: 'A new due date (none removes it); see below' },
    priority: PRIORITY_OPTION,
    json: jsonOption('Print the todo as edited, as JSON'),
  },
  details: [
    ID_DETAILS,
    DUE_DETAILS,
    '--due none removes the due date, --description "" the description. It says the due date it understood, in your time zone. With --json: the todo as edited.',
  ],
  async run(context) {
    const { io, values } = context;
    if ([values.title, values.description, values.due, values.priority].every((v) => v === undefined))
      throw usageError('Give --title, --description, --due or --priority.');
    const dueAt = await dueOption(values.due);
    const priority = priorityOption(values.priority);
    const { api } = await session(context);
    const todo = await resolveOne(context, api);
    const updated = await api.todo.update.mutate({
      id: todo.id,
      title: values.title,
      description: values.description === '' ? null : values.description,
      dueAt,
      priority,
    });
    if (values.json) return void printJson(io, updated);
    print(io, `Edited: ${describeTodo(updated)}`);
    if (dueAt !== undefined) print(io, dueEcho(updated.dueAt));
  },
});
