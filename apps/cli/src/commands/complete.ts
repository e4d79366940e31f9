import { type Context, defineCommand } from '../command.ts';
import { describeTodo } from '../format.ts';
import { ID_DETAILS, jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { resolveTodos, type Todo } from '../resolve-todos.ts';
import { session } from '../session.ts';

/** `todo done` and `todo reopen`: the same walk over the given ids, one flag apart. */
const setCompleted = (completed: boolean) => async (context: Context) => {
  const { api } = await session(context);
  const todos: Todo[] = [];
  for (const todo of await resolveTodos(api, context.args)) {
    const updated = await api.todo.update.mutate({ id: todo.id, completed });
    todos.push(updated);
    if (!context.values.json)
      print(context.io, `${completed ? 'Completed' : 'Reopened'}: ${describeTodo(updated)}`);
  }
  if (context.values.json) printJson(context.io, { todos });
};

export const doneCommand = defineCommand({
  name: 'done',
  args: '<id>...',
  summary: 'Mark todos as completed',
  options: { json: jsonOption('Print {"todos":[…]} as JSON') },
  details: [ID_DETAILS, 'With --json: {"todos":[…]}, each as it is now.'],
  run: setCompleted(true),
});

export const reopenCommand = defineCommand({
  name: 'reopen',
  aliases: ['undo'],
  args: '<id>...',
  summary: 'Mark todos as active again',
  options: { json: jsonOption('Print {"todos":[…]} as JSON') },
  details: [ID_DETAILS, 'With --json: {"todos":[…]}, each as it is now.'],
  run: setCompleted(false),
});
