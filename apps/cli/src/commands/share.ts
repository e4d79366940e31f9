import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { aboutList, quoted, resolveList } from '../resolve-lists.ts';
import { session } from '../session.ts';

const ROLES = ['editor', 'viewer'] as const;

export const shareCommand = defineCommand({
  name: 'share',
  args: '<list> <email>',
  summary: 'Invite someone to a list you own, by mail',
  options: {
    role: { type: 'string', value: '<role>', help: 'editor (reads and writes; the default) or viewer' },
    json: jsonOption('Print {"inviteId"} as JSON'),
  },
  details: [
    'The list by its name or id, then the email address; the words before the address make up the name:',
    '  todo share Trip to Lisbon grace@example.com --role viewer',
    'The server mails the address a link, good once and for 7 days; they join with `todo accept <link>` or in the web app. Asking again replaces the invite. Only the owner shares a list, and the Inbox is not shared.',
  ],
  async run(context) {
    const { io, values } = context;
    const email = context.args.at(-1)?.trim() ?? '';
    const given = context.args.slice(0, -1).join(' ');
    if (!given.trim() || !email)
      throw usageError('Give the list and an email address: todo share <list> <email>');
    const role = values.role ?? 'editor';
    if (!(ROLES as readonly string[]).includes(role))
      throw usageError(`--role must be editor or viewer, not "${role}".`);
    const { api } = await session(context);
    const list = await resolveList(api, given);
    const { inviteId } = await aboutList(
      list,
      api.list.invite.mutate({ id: list.id, email, role: role as (typeof ROLES)[number] }),
      'share it',
    );
    if (values.json) return void printJson(io, { inviteId });
    print(io, `Invited ${email} to ${quoted(list)} as ${role}.`);
    print(io, 'The invite was mailed to them; its link works once, for 7 days.');
  },
});
