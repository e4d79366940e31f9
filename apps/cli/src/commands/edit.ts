import type { Command } from '../command.ts';
import { usageError } from '../errors.ts';
import { describeTodo } from '../format.ts';
import { DUE_DETAILS, dueOption, ID_DETAILS, priorityOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { resolveOne } from '../resolve-todos.ts';
import { session } from '../session.ts';

export const editCommand: Command = {
  name: 'edit',
  usage: 'todo edit <id> [--title …] [--description …] [--due …] [--priority …]',
  summary: 'Change the title, description, due date or priority',
  options: ['title', 'description', 'due', 'priority', 'json'],
  details:
    `${ID_DETAILS}\n${DUE_DETAILS}\n` +
    '--due none removes the due date, --description "" the description.\n' +
    'With --json: the todo as edited.',
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
    if (values.json) printJson(io, updated);
    else print(io, `Edited: ${describeTodo(updated)}`);
  },
};
