import { changePassword, TodoAuthError } from '@todo/client';
import { defineCommand } from '../command.ts';
import { configPath, readConfig, storeToken } from '../config-store.ts';
import { confirmPlainHttp, PLAIN_HTTP, readPasswords, typedWrong } from '../credentials.ts';
import { CliError, EXIT, sessionEnded, usageError } from '../errors.ts';
import { YES_OPTION } from '../options.ts';
import { print } from '../output.ts';
import { session } from '../session.ts';

export const passwdCommand = defineCommand({
  name: 'passwd',
  summary: 'Change your password',
  options: {
    'sign-out-others': { type: 'boolean', help: 'End every other session (this one goes on)' },
    yes: YES_OPTION,
  },
  details: [
    'Asks for the current password, then the new one twice, masked. With --sign-out-others every other session (other terminals, browsers) ends; this one goes on.',
    'When stdin is not a terminal, it reads the current password, then the new one, one a line:',
    '  printf \'%s\\n%s\\n\' "$OLD" "$NEW" | todo passwd',
    PLAIN_HTTP,
  ],
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
      throw typedWrong(error, '', 'new password');
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
});
