import { signOut, TodoAuthError } from '@todo/client';
import { defineCommand } from '../command.ts';
import { forgetToken, storedToken } from '../config-store.ts';
import { print } from '../output.ts';

export const logoutCommand = defineCommand({
  name: 'logout',
  summary: 'Sign out, ending the session',
  options: {},
  async run({ io, url }) {
    const token = await storedToken(io.env, url);
    if (!token) return void print(io, `Not signed in to ${url}.`);
    let error: unknown;
    // A session that has already ended is as good as signed out.
    await signOut({ url, token }).catch((reason: unknown) => {
      if (!(reason instanceof TodoAuthError && reason.status === 401)) error = reason;
    });
    await forgetToken(io.env, url);
    if (error) {
      io.stderr.write('The token was forgotten here, but the server could not be told to end the session.\n');
      throw error;
    }
    print(io, `Signed out of ${url}.`);
  },
});
