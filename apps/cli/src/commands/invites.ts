import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { formatInvites } from '../format-lists.ts';
import { jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { session } from '../session.ts';

export const invitesCommand = defineCommand({
  name: 'invites',
  summary: 'Show the invites to lists sent to you',
  options: { json: jsonOption('Print {"invites":[…]} as JSON') },
  details: [
    'The invites addressed to your email that are still open, once that address is verified. Each came by mail with a link: join with `todo accept <link>`.',
    'With --json: {"invites": [{"id", "list": {"name"}, "invitedBy": {"name"}, "role", "expiresAt"}…]}.',
  ],
  async run(context) {
    if (context.args.length > 0) throw usageError('todo invites takes no arguments.');
    const { api } = await session(context);
    const { invites } = await api.invite.pending.query();
    if (context.values.json) return void printJson(context.io, { invites });
    if (invites.length === 0) return void print(context.io, 'No invites for you.');
    print(context.io, formatInvites(invites));
    print(context.io, '\nJoin one with the link in its mail: todo accept <link>');
  },
});
