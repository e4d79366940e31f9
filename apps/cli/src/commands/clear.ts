import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { plural } from '../format.ts';
import { jsonOption, LIST_DETAILS, LIST_OPTION } from '../options.ts';
import { print, printJson } from '../output.ts';
import { aboutList, listOption, quoted } from '../resolve-lists.ts';
import { session } from '../session.ts';

export const clearCommand = defineCommand({
  name: 'clear',
  summary: 'Delete all completed todos',
  options: { list: LIST_OPTION, json: jsonOption('Print {"deleted":<how many>} as JSON') },
  details: [LIST_DETAILS, 'With --json: {"deleted":<how many>}.'],
  async run(context) {
    if (context.args.length > 0) throw usageError('todo clear takes no arguments.');
    const { api } = await session(context);
    const list = await listOption(api, context.values.list);
    const clearing = api.todo.clearCompleted.mutate({ listId: list?.id });
    const { deleted } = await (list ? aboutList(list, clearing) : clearing);
    if (context.values.json) printJson(context.io, { deleted });
    else
      print(
        context.io,
        `Deleted ${plural(deleted, 'completed todo')}${list ? ` from ${quoted(list)}` : ''}.`,
      );
  },
});
