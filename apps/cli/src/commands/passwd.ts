import { changePassword, TodoAuthError } from '@todo/client';
import type { Command } from '../command.ts';
import { configPath, readConfig, storeToken } from '../config-store.ts';
import { confirmPlainHttp, PLAIN_HTTP, readPasswords } from '../credentials.ts';
import { CliError, EXIT, sessionEnded, usageError } from '../errors.ts';
import { print } from '../output.ts';
import { session } from '../session.ts';

export const passwdCommand: Command = {
  name: 'passwd',
  usage: 'todo passwd [--sign-out-others]',
  summary: 'Change your password',
  options: ['sign-out-others', 'yes'],
  details:
    'Asks for the current password, then the new one twice, masked. With --sign-out-others\n' +
    'every other session (other terminals, browsers) ends; this one goes on.\n' +
    'When stdin is not a terminal it reads the current password, then the new one, one a line.\n' +
    PLAIN_HTTP,
  async run(context) {
    const { io, url, values, args } = context;
    if (args.length > 0) throw usageError('todo passwd takes no arguments.');
    const { token } = await session(context);
    await confirmPlainHttp(context);
    const interactive = Boolean(io.stdin.isTTY);
    const [currentPassword, newPassword, again] = await readPasswords(
      io,
      interactive ? ['Current password', 'New password', 'New password again'] : ['Current', 'New'],
    );
    if (!currentPassword || !newPassword) throw usageError('Both the current and a new password are needed.');
    if (interactive && newPassword !== again)
      throw usageError('The two new passwords differ; nothing was changed.');

    const revokeOtherSessions = Boolean(values['sign-out-others']);
    const changed = await changePassword({
      url,
      token,
      currentPassword,
      newPassword,
      revokeOtherSessions,
    }).catch(async (error: unknown) => {
      if (error instanceof TodoAuthError && error.code === 'INVALID_PASSWORD')
        throw new CliError('The current password is wrong; nothing was changed.', EXIT.error);
      if (error instanceof TodoAuthError && error.status === 401)
        throw await sessionEnded(io.env, url, token);
      throw error;
    });
    // Signing the others out ends this session too, and hands back the one that replaces it.
    if (changed.token) {
      const stored = (await readConfig(configPath(io.env))).servers[url];
      await storeToken(io.env, url, changed.token, stored?.email ?? '');
    }
    print(
      io,
      revokeOtherSessions ? 'Password changed. Every other session is signed out.' : 'Password changed.',
    );
  },
};
