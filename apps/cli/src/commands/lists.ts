import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { formatLists } from '../format-lists.ts';
import { jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { session } from '../session.ts';

export const listsCommand = defineCommand({
  name: 'lists',
  summary: 'Show your lists, the Inbox first',
  options: { json: jsonOption('Print {"lists":[…]} as JSON') },
  details: [
    'Each list with its short id, its name, your role in it (owner, editor or viewer), its owner when that is someone else, how many members it has and how many of its todos are active. The order is yours (`todo list mv`), the Inbox always first.',
    'With --json: {"lists":[…]}, each list as {"id", "name", "isInbox", "role", "owner": {"id", "name"}, "memberCount", "counts": {"active", "completed"}}.',
  ],
  async run(context) {
    if (context.args.length > 0) throw usageError('todo lists takes no arguments.');
    const { api } = await session(context);
    const { lists } = await api.list.all.query();
    if (context.values.json) printJson(context.io, { lists });
    else print(context.io, formatLists(lists));
  },
});
