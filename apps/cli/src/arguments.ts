import { parseArgs } from 'node:util';
import type { Command } from './command.ts';
import { usageError } from './errors.ts';
import { COMMON_OPTIONS, type OptionSpecs } from './options.ts';

export type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

/** What `todo` takes before a command name. */
export const TOP_OPTIONS = {
  ...COMMON_OPTIONS,
  version: { type: 'boolean', help: 'Print the version' },
} as const satisfies OptionSpecs;

/**
 * The options and words of a command line, checked against `options` (the command's own and
 * the common ones). Node's parser reads them; the checks are here so that each refusal is one
 * sentence naming the flag and where its help is, with exit code 2.
 *
 * @example
 * parseArguments(['add', 'Buy milk', '--due', 'tomorrow'], addCommand.options, 'todo add')
 * // { values: { due: 'tomorrow' }, positionals: ['add', 'Buy milk'] }
 */
export function parseArguments(argv: string[], options: OptionSpecs, label: string): Parsed {
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const help = `see \`${label} --help\``;
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    if (!spec) throw usageError(`${label} does not take ${token.rawName} (${help}).`);
    if (spec.type === 'boolean' && token.inlineValue)
      throw usageError(`${token.rawName} takes no value (${help}).`);
    // A value that looks like the next option means the value itself was left out.
    const looksLikeOption = !token.inlineValue && /^--?[a-z]/i.test(token.value ?? '');
    if (spec.type === 'string' && (token.value === undefined || looksLikeOption))
      throw usageError(
        `${token.rawName} needs a value: ${token.rawName} ${spec.value ?? '<value>'} (${help}).`,
      );
  }
  return { values, positionals };
}

/**
 * The words of a command line, read past its options: the command's name first (and the
 * subcommand's, for one that has them). `options` are those that take a value, so that their
 * value is not taken for a word.
 *
 * @example
 * commandWords(['--url', 'http://localhost:3000', 'ls'])  // ['ls']
 */
export function commandWords(argv: string[], options: OptionSpecs = TOP_OPTIONS): string[] {
  return parseArgs({ args: argv, options, allowPositionals: true, strict: false }).positionals;
}

/**
 * The command a command line names: its first word, read past any options before it.
 *
 * @example
 * commandName(['--url', 'http://localhost:3000', 'ls'])  // 'ls'
 */
export const commandName = (argv: string[]): string | undefined => commandWords(argv)[0];

/** A command's options with the common ones, as its parser and its help take them. */
export const optionsOf = (command: Command): OptionSpecs => ({ ...command.options, ...COMMON_OPTIONS });
