import { errorCode } from '@todo/client';
import { defineCommand } from '../command.ts';
import { CliError, EXIT, sentence, usageError } from '../errors.ts';
import { oneLine } from '../format.ts';
import { jsonOption } from '../options.ts';
import { print, printJson } from '../output.ts';
import { quoted } from '../resolve-lists.ts';
import { session } from '../session.ts';

/**
 * The token of an invite: as given, or the last part of its link (`…/invite/<token>`).
 *
 * @example
 * inviteToken('https://todo.example.com/invite/q8Xv…')  // 'q8Xv…'
 */
export function inviteToken(given: string): string {
  const text = given.trim();
  const link = /\/invite\/([^/?#\s]+)/.exec(text);
  const token = link ? (link[1] as string) : text;
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(token))
    throw usageError(
      `"${oneLine(given)}" is not an invite link or token; copy the link from the invite mail.`,
    );
  return token;
}

export const acceptCommand = defineCommand({
  name: 'accept',
  args: '<link>',
  summary: 'Join a list with the link from an invite mail',
  options: { json: jsonOption('Print the list you joined as JSON') },
  details: [
    'The whole link, as the mail has it, or its last part (the token):',
    '  todo accept https://todo.example.com/invite/q8Xv…',
    'An invite is for the email it was sent to (joining with it verifies that address, since the link came there); it works once, for 7 days. With --json: the list, as `todo lists --json` shows each.',
  ],
  async run(context) {
    if (context.args.length !== 1) throw usageError('Give the link from the invite mail: todo accept <link>');
    const token = inviteToken(context.args[0] as string);
    const { api } = await session(context);
    const list = await api.invite.accept.mutate({ token }).catch((error: unknown) => {
      if (errorCode(error) === 'NOT_FOUND')
        throw new CliError('This invite is unknown, used or expired; ask for a new one.', EXIT.notFound);
      // Another account's invite: the server says so.
      if (errorCode(error) === 'FORBIDDEN')
        throw new CliError(sentence((error as Error).message), EXIT.error);
      throw error;
    });
    if (context.values.json) return void printJson(context.io, list);
    print(context.io, `Joined ${quoted(list)}, ${oneLine(list.owner.name)}'s list, as ${list.role}.`);
  },
});
