import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { formatMembers } from '../format-lists.ts';
import { jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { aboutList, resolveList } from '../resolve-lists.ts';
import { session } from '../session.ts';

export const membersCommand = defineCommand({
  name: 'members',
  args: '<list>',
  summary: "Show a list's members and their roles",
  options: { json: jsonOption('Print {"members","invites"} as JSON') },
  details: [
    'The list by its name or id. Every member sees who else is in it; its owner also sees the invites not yet accepted.',
    'With --json: {"members": [{"userId", "name", "email", "role"}…], "invites": [{"id", "email", "role", "expiresAt"}…]}.',
  ],
  async run(context) {
    const given = context.args.join(' ');
    if (!given.trim()) throw usageError('Give the list: todo members <list>');
    const { api } = await session(context);
    const list = await resolveList(api, given);
    const { members, invites } = await aboutList(list, api.list.members.query({ id: list.id }));
    if (context.values.json) printJson(context.io, { members, invites });
    else print(context.io, formatMembers(members, invites));
  },
});
