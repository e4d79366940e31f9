import { defineCommand } from '../command.ts';
import { usageError } from '../errors.ts';
import { listAddCommand } from './list-add.ts';
import { listMvCommand } from './list-mv.ts';
import { listRenameCommand } from './list-rename.ts';
import { listRmCommand } from './list-rm.ts';

/** `todo list add|rename|rm|mv`: the word after `list` picks the command (cli.ts). */
export const listCommand = defineCommand({
  name: 'list',
  args: '<add|rename|rm|mv> …',
  summary: 'Make, rename, delete or reorder your lists',
  options: {},
  details: [
    "A list is named by its name (in any case) or its id, as `todo lists` shows them. `todo list <command> --help` shows a command's own options.",
  ],
  subcommands: [listAddCommand, listRenameCommand, listRmCommand, listMvCommand],
  async run() {
    throw usageError('todo list needs one of add, rename, rm, mv.');
  },
});
