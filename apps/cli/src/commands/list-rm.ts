import { defineCommand, type Io } from '../command.ts';
import { answered } from '../credentials.ts';
import { CliError, EXIT, usageError } from '../errors.ts';
import { plural } from '../format.ts';
import { jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { askYesNo } from '../prompt.ts';
import { aboutList, type List, quoted, resolveList } from '../resolve-lists.ts';
import { session } from '../session.ts';

/** The list and what goes with it: `the list "Food" and its 3 todos`. */
const withTodos = (list: List) =>
  `the list ${quoted(list)} and its ${plural(list.counts.active + list.counts.completed, 'todo')}`;

/** Who else loses the list: ` 2 other members lose it too.`, or nothing. */
function othersLose(list: List): string {
  const others = list.memberCount - 1;
  if (others === 0) return '';
  return others === 1 ? ' 1 other member loses it too.' : ` ${others} other members lose it too.`;
}

/**
 * Asks before deleting, on a terminal; elsewhere --yes must say it. Not for a list the server
 * will refuse anyway (the Inbox, someone else's): its refusal says why.
 */
async function confirmed(io: Io, list: List, yes: boolean | undefined): Promise<void> {
  if (yes || list.isInbox || list.role !== 'owner') return;
  if (!io.stdin.isTTY) throw usageError('Give --yes to delete a list without being asked.');
  const go = answered(await askYesNo(io, `Delete ${withTodos(list)}?${othersLose(list)}`));
  if (!go) throw new CliError('Nothing was deleted.', EXIT.error);
}

export const listRmCommand = defineCommand({
  name: 'list rm',
  args: '<list>',
  summary: 'Delete a list you own, with its todos',
  options: {
    yes: { type: 'boolean', short: 'y', help: 'Delete without asking' },
    json: jsonOption('Print {"deleted":<list>} as JSON'),
  },
  details: [
    'The list by its name or id. Its todos go with it, and every member loses it. On a terminal it asks first (No is the default); elsewhere, give --yes.',
    'Only its owner deletes a list, and the Inbox stays. With --json: {"deleted":<the list as it was>}.',
  ],
  async run(context) {
    const { io, values } = context;
    const given = context.args.join(' ');
    if (!given.trim()) throw usageError('Give the list to delete: todo list rm <list>');
    const { api } = await session(context);
    const list = await resolveList(api, given);
    await confirmed(io, list, values.yes);
    await aboutList(list, api.list.delete.mutate({ id: list.id }), 'delete it');
    if (values.json) printJson(io, { deleted: list });
    else print(io, `Deleted ${withTodos(list)}.`);
  },
});
