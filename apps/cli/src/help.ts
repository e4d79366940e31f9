import { optionsOf, TOP_OPTIONS } from './arguments.ts';
import type { Command } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import type { OptionSpecs } from './options.ts';

/** `--due <date>`, `-h, --help`: an option as the help names it. */
const flag = (name: string, spec: OptionSpecs[string]) =>
  `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;

const WIDTH = 80;

/** A paragraph broken into lines of at most 80 columns; an example (two spaces in) as it is. */
function wrap(paragraph: string): string {
  if (paragraph.startsWith('  ')) return paragraph;
  const lines: string[] = [];
  let line = '';
  for (const word of paragraph.split(' ')) {
    if (line && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

/** Paragraphs apart by a blank line; an example right under the line that introduces it. */
const paragraphs = (texts: string[]) =>
  texts.map((text, index) => `${index > 0 && !text.startsWith('  ') ? '\n' : ''}${wrap(text)}`).join('\n');

/** Left column, right column: the widest left entry sets where the right one starts. */
function columns(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
}

/** Each option on a line: the command's own first, then --url and --help. */
export const optionLines = (options: OptionSpecs) =>
  columns(Object.entries(options).map(([name, spec]) => [flag(name, spec), spec.help]));

/** The summary, with the other names the command answers to. */
const summary = (command: Command) =>
  `${command.summary}${command.aliases?.length ? ` (or: ${command.aliases.join(', ')})` : ''}`;

const usage = (command: Command) => `todo ${command.name}${command.args ? ` ${command.args}` : ''}`;

const NOTES =
  "`todo <command> --help` shows a command's own options. Ids are the short ids that `todo ls` shows (any unique beginning of an id works). The session token is kept in $XDG_CONFIG_HOME/todo/config.json (else ~/.config/todo/), readable by you only.";

/** `todo --help`: every command on a line, the options, where the token is, the exit codes. */
export function mainHelp(): string {
  const commands = columns(
    COMMANDS.flatMap((command) => command.subcommands ?? [command]).map((command) => [
      usage(command),
      summary(command),
    ]),
  );
  return `todo: your todo list from the terminal.

Usage: todo <command> [options]

Commands:
${commands}

Options:
${optionLines(TOP_OPTIONS)}

${wrap(NOTES)}

Exit codes: 0 done, 1 failed, 2 wrong usage, 3 not signed in, 4 no such todo or
list, 5 server (or its database) unreachable, 130 cancelled (Ctrl-C).`;
}

/** `todo list --help`: the commands under it, each with its usage and summary. */
const subcommandLines = (command: Command) =>
  command.subcommands
    ? [`Commands:\n${columns(command.subcommands.map((sub) => [usage(sub), summary(sub)]))}`]
    : [];

/** `todo <command> --help`: its usage, its options (from the definition the parser reads), more. */
export function commandHelp(command: Command): string {
  return [
    `Usage: ${usage(command)} [options]`,
    `${summary(command)}.`,
    ...subcommandLines(command),
    `Options:\n${optionLines(optionsOf(command))}`,
    ...(command.details ? [paragraphs(command.details)] : []),
  ].join('\n\n');
}
