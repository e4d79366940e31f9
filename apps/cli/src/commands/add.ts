import type { Command } from '../command.ts';
import { usageError } from '../errors.ts';
import { describeTodo } from '../format.ts';
import { DUE_DETAILS, dueOption, priorityOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { session } from '../session.ts';

export const addCommand: Command = {
  name: 'add',
  usage: 'todo add <title> [--due …] [--priority …] [--description …]',
  summary: 'Add a todo',
  options: ['description', 'due', 'priority', 'json'],
  details: `Words after \`add\` make up the title: todo add Buy milk --due tomorrow\n${DUE_DETAILS}\nWith --json: the new todo.`,
  async run(context) {
    const { values } = context;
    const title = context.args.join(' ').trim();
    if (!title) throw usageError('Give the todo a title: todo add <title>');
    const dueAt = await dueOption(values.due);
    const priority = priorityOption(values.priority);
    const { api } = await session(context);
    const todo = await api.todo.create.mutate({ title, description: values.description, dueAt, priority });
    if (values.json) printJson(context.io, todo);
    else print(context.io, `Added: ${describeTodo(todo)}`);
  },
};
