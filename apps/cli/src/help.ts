import type { Command } from './command.ts';
import { COMMANDS } from './commands/index.ts';

export const DEFAULT_URL = 'http://localhost:3000';

const OPTION_HELP = {
  url: `  --url <url>   The server (default: $TODO_URL, else ${DEFAULT_URL})`,
  json: '  --json        Print data as JSON (its shape: todo <command> --help)',
  yes: '  -y, --yes     Send a password over plain http without asking',
  help: '  -h, --help    Show help',
  version: '  --version     Print the version',
};
const COMMON_OPTIONS = `Options:\n${[OPTION_HELP.url, OPTION_HELP.json, OPTION_HELP.help, OPTION_HELP.version].join('\n')}`;

const USAGE_WIDTH = 50;

/** `todo --help`: every command on a line, the common options, where the token is, the exit codes. */
export function mainHelp(): string {
  // A usage too long to share its line with the summary has the summary on the next one.
  const usages = COMMANDS.map((command) => command.usage);
  const width = Math.max(
    ...usages.filter((usage) => usage.length <= USAGE_WIDTH).map((usage) => usage.length),
  );
  const lines = COMMANDS.map((command) =>
    command.usage.length <= width
      ? `  ${command.usage.padEnd(width)}  ${command.summary}`
      : `  ${command.usage}\n  ${' '.repeat(width)}  ${command.summary}`,
  );
  return `todo: your todo list from the terminal.

Usage:
${lines.join('\n')}

${COMMON_OPTIONS}

Ids are the short ids shown by \`todo ls\` (any unique beginning of an id works).
The session token is kept in $XDG_CONFIG_HOME/todo/config.json (else ~/.config/todo/),
readable by you only.

Exit codes: 0 done, 1 failed, 2 wrong usage, 3 not signed in, 4 no such todo,
5 server (or its database) unreachable, 130 cancelled (Ctrl-C). Run \`todo <command> --help\` for more on a command.`;
}

/** `todo <command> --help`. */
export function commandHelp(command: Command): string {
  const options = [
    OPTION_HELP.url,
    ...(command.options.includes('json') ? [OPTION_HELP.json] : []),
    ...(command.options.includes('yes') ? [OPTION_HELP.yes] : []),
    OPTION_HELP.help,
  ];
  return `Usage: ${command.usage}\n\n${command.summary}.${command.details ? `\n\n${command.details}` : ''}\n\nOptions:\n${options.join('\n')}`;
}
