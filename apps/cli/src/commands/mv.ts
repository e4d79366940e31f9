import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { describeTodo } from '../format.ts';
import { ID_DETAILS, jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { resolveTodos, type Todo } from '../resolve-todos.ts';
import { session } from '../session.ts';

export const mvCommand = defineCommand({
  name: 'mv',
  args: '<id>',
  summary: 'Move a todo in your own order',
  options: {
    after: { type: 'string', value: '<id>', help: 'Put it right after this todo' },
    top: { type: 'boolean', help: 'Put it first' },
    json: jsonOption('Print the moved todo as JSON'),
  },
  details: [
    ID_DETAILS,
    'Give --after <id> or --top. The order is the one `todo ls` and the web app show by default (--sort manual). With --json: the moved todo.',
  ],
  async run(context) {
    const { io, values, args } = context;
    if ((values.after === undefined) === !values.top) throw usageError('Give --after <id> or --top.');
    if (args.length !== 1) throw usageError('Give one todo id: todo mv <id> --after <id>');
    const { api } = await session(context);
    const [todo, after] = await resolveTodos(
      api,
      values.after === undefined ? args : [...args, values.after],
    );
    if (after && after.id === todo?.id) throw usageError('A todo cannot go after itself.');
    const moved = await api.todo.move.mutate({ id: (todo as Todo).id, afterId: after?.id ?? null });
    if (values.json) printJson(io, moved);
    else if (after) print(io, `Moved: ${describeTodo(moved)}, after ${describeTodo(after)}`);
    else print(io, `Moved to the top: ${describeTodo(moved)}`);
  },
});
