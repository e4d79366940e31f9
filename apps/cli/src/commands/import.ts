import { readFile } from 'node:fs/promises';
import { defineCommand } from '../command.ts';
import { CliError, EXIT, usageError } from '../errors.ts';
import { plural } from '../format.ts';
import { jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { readAll } from '../prompt.ts';
import { type Api, session } from '../session.ts';

type ExportFile = Parameters<Api['account']['import']['mutate']>[0];

/** The file's JSON (or stdin's, for -); the server checks its shape. */
async function readExport(file: string, stdin: NodeJS.ReadStream): Promise<unknown> {
  let text: string;
  try {
    text = file === '-' ? await readAll(stdin) : await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as Error).message}`, EXIT.usage);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not JSON (${(error as Error).message}).`, EXIT.usage);
  }
}

export const importCommand = defineCommand({
  name: 'import',
  args: '<file>',
  summary: 'Add the todos of an export file',
  options: { json: jsonOption('Print {"added","skipped"} as JSON') },
  details: [
    'Reads a file made by `todo export` (or - for stdin) and adds its todos with their ids, titles, descriptions, completion and creation times. A todo whose id exists already is skipped, so importing twice adds nothing new. A bad file changes nothing.',
    'With --json: {"added":…,"skipped":…}.',
  ],
  async run(context) {
    const { io, args } = context;
    const [file] = args;
    if (!file || args.length > 1) throw usageError('Give one file: todo import mine.json');
    const content = await readExport(file, io.stdin);
    const { api } = await session(context);
    const result = await api.account.import.mutate(content as ExportFile);
    if (context.values.json) printJson(io, result);
    else print(io, `Imported ${plural(result.added, 'todo')}; skipped ${result.skipped} already there.`);
  },
});
