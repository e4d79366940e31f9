import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { quoted } from '../resolve-lists.ts';
import { session } from '../session.ts';

export const listAddCommand = defineCommand({
  name: 'list add',
  args: '<name>',
  summary: 'Make a list of your own',
  options: { json: jsonOption('Print the new list as JSON') },
  details: [
    'The words after `add` make up the name (1 to 100 characters):',
    '  todo list add Trip to Lisbon',
    'It goes last in your order of lists. With --json: the new list, as `todo lists --json` shows each.',
  ],
  async run(context) {
    const name = context.args.join(' ').trim();
    if (!name) throw usageError('Give the list a name: todo list add <name>');
    const { api } = await session(context);
    const list = await api.list.create.mutate({ name });
    if (context.values.json) printJson(context.io, list);
    else print(context.io, `Made the list ${quoted(list)} (${list.id.slice(0, 8)}).`);
  },
});
