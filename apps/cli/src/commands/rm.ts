import { defineCommand } from '../command.ts';
import { describeTodo } from '../format.ts';
import { ID_DETAILS, jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { resolveTodos, type Todo } from '../resolve-todos.ts';
import { session } from '../session.ts';

export const rmCommand = defineCommand({
  name: 'rm',
  args: '<id>...',
  summary: 'Delete todos',
  options: { json: jsonOption('Print {"deleted":[…]}, each todo as it was') },
  details: [ID_DETAILS, 'With --json: {"deleted":[…]}, each todo as it was.'],
  async run(context) {
    const { api } = await session(context);
    const deleted: Todo[] = [];
    for (const todo of await resolveTodos(api, context.args)) {
      await api.todo.delete.mutate({ id: todo.id });
      deleted.push(todo);
      if (!context.values.json) print(context.io, `Deleted: ${describeTodo(todo)}`);
    }
    if (context.values.json) printJson(context.io, { deleted });
  },
});
