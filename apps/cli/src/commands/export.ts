import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { jsonOption } from '../options.ts';
import { print } from '../output.ts';
import { session } from '../session.ts';

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'All your data as JSON (> mine.json)',
  options: { json: jsonOption('The same JSON (the output is JSON anyway)') },
  details: [
    'The account and every todo, as JSON with or without --json: {"exportedAt":…,"user":{…},"todos":[…]}. `todo import` (here or on another server) reads the file back:',
    '  pnpm todo export > mine.json',
  ],
  async run(context) {
    if (context.args.length > 0)
      throw usageError('todo export takes no arguments (redirect its output: > mine.json).');
    const { api } = await session(context);
    print(context.io, JSON.stringify(await api.account.export.query(), null, 2));
  },
});
