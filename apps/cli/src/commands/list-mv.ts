import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { aboutList, quoted, resolveList } from '../resolve-lists.ts';
import { session } from '../session.ts';

export const listMvCommand = defineCommand({
  name: 'list mv',
  args: '<list>',
  summary: 'Move a list in your own order',
  options: {
    after: { type: 'string', value: '<list>', help: 'Put it right after this list' },
    first: { type: 'boolean', help: 'Put it first (after the Inbox, which leads)' },
    json: jsonOption('Print the moved list as JSON'),
  },
  details: [
    'Both lists by name or id. Give --after <list> or --first. The order is your own: moving a shared list changes nothing for its other members. With --json: the moved list.',
  ],
  async run(context) {
    const { io, values } = context;
    if ((values.after === undefined) === !values.first) throw usageError('Give --after <list> or --first.');
    const given = context.args.join(' ');
    if (!given.trim()) throw usageError('Give the list to move: todo list mv <list> --after <list>');
    const { api } = await session(context);
    const list = await resolveList(api, given);
    const after = values.after === undefined ? undefined : await resolveList(api, values.after);
    if (after?.id === list.id) throw usageError('A list cannot go after itself.');
    const moved = await aboutList(list, api.list.move.mutate({ id: list.id, afterId: after?.id ?? null }));
    if (values.json) printJson(io, moved);
    else if (after) print(io, `Moved ${quoted(moved)} after ${quoted(after)}.`);
    else print(io, `Moved ${quoted(moved)} to the top, after the Inbox.`);
  },
});
