import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { formatUser } from '../format.ts';
import { jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { session } from '../session.ts';

export const whoamiCommand = defineCommand({
  name: 'whoami',
  summary: 'Show who is signed in, and where',
  options: { json: jsonOption('Print {"url","user"} as JSON') },
  details: ['With --json: {"url":…,"user":{"id":…,"email":…,"name":…,"createdAt":…}}'],
  async run(context) {
    if (context.args.length > 0) throw usageError('todo whoami takes no arguments.');
    const { api } = await session(context);
    const user = await api.me.query();
    if (context.values.json) printJson(context.io, { url: context.url, user });
    else print(context.io, formatUser(user, context.url));
  },
});
