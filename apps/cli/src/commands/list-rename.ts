import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { aboutList, quoted, resolveList } from '../resolve-lists.ts';
import { session } from '../session.ts';

export const listRenameCommand = defineCommand({
  name: 'list rename',
  args: '<list> <name>',
  summary: 'Rename a list you own',
  options: { json: jsonOption('Print the renamed list as JSON') },
  details: [
    'The list by its name or id; the words after it make up the new name. Quote a name of more than one word:',
    '  todo list rename "Trip to Lisbon" Lisbon in May',
    'Only its owner renames a list, and the Inbox keeps its name. With --json: the list as it is now.',
  ],
  async run(context) {
    const [given, ...words] = context.args;
    const name = words.join(' ').trim();
    if (given === undefined || !name)
      throw usageError('Give the list and its new name: todo list rename <list> <name>');
    const { api } = await session(context);
    const list = await resolveList(api, given);
    const renamed = await aboutList(list, api.list.rename.mutate({ id: list.id, name }), 'rename it');
    if (context.values.json) printJson(context.io, renamed);
    else print(context.io, `Renamed ${quoted(list)} to ${quoted(renamed)}.`);
  },
});
