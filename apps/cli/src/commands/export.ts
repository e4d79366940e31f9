import type { Command } from '../command.ts';
import { usageError } from '../errors.ts';
import { print } from '../output.ts';
import { session } from '../session.ts';

export const exportCommand: Command = {
  name: 'export',
  usage: 'todo export',
  summary: 'All your data as JSON (> mine.json)',
  options: ['json'],
  details:
    'The account and every todo: {"exportedAt":…,"user":{…},"todos":[…]}. `todo import` (here or\n' +
    'on another server) reads the file back. The output is JSON with or without --json.',
  async run(context) {
    if (context.args.length > 0)
      throw usageError('todo export takes no arguments (redirect its output: > mine.json).');
    const { api } = await session(context);
    print(context.io, JSON.stringify(await api.account.export.query(), null, 2));
  },
};
