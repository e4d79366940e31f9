import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { print } from '../output.ts';
import { aboutList, quoted, resolveList } from '../resolve-lists.ts';
import { session } from '../session.ts';

export const leaveCommand = defineCommand({
  name: 'leave',
  args: '<list>',
  summary: 'Leave a list someone shared with you',
  options: {},
  details: [
    'The list by its name or id. It leaves your lists, and only a new invite brings it back. Its owner does not leave it (`todo list rm` deletes it), and nobody leaves their Inbox.',
  ],
  async run(context) {
    const given = context.args.join(' ');
    if (!given.trim()) throw usageError('Give the list to leave: todo leave <list>');
    const { api } = await session(context);
    const list = await resolveList(api, given);
    await aboutList(list, api.list.leave.mutate({ id: list.id }));
    print(context.io, `You left ${quoted(list)}.`);
  },
});
