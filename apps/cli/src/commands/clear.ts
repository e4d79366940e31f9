import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { plural } from '../format.ts';
import { jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { session } from '../session.ts';

export const clearCommand = defineCommand({
  name: 'clear',
  summary: 'Delete all completed todos',
  options: { json: jsonOption('Print {"deleted":<how many>} as JSON') },
  details: ['With --json: {"deleted":<how many>}.'],
  async run(context) {
    if (context.args.length > 0) throw usageError('todo clear takes no arguments.');
    const { api } = await session(context);
    const { deleted } = await api.todo.clearCompleted.mutate();
    if (context.values.json) printJson(context.io, { deleted });
    else print(context.io, `Deleted ${plural(deleted, 'completed todo')}.`);
  },
});
