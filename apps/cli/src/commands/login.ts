import { signIn } from '@todo/client';
import { defineCommand } from '../command.ts';
import {
  answered,
  confirmPlainHttp,
  keepSession,
  PLAIN_HTTP,
  readPasswords,
  typedWrong,
} from '../credentials.ts';
import { usageError } from '../errors.ts';
import { YES_OPTION } from '../options.ts';
import { print } from '../output.ts';
import { ask } from '../prompt.ts';

export const loginCommand = defineCommand({
  name: 'login',
  summary: 'Sign in (asks for the password)',
  options: {
    email: { type: 'string', value: '<email>', help: 'Your email address (asked when not given)' },
    yes: YES_OPTION,
  },
  details: [
    'Asks for the email (unless --email is given) and the password, masked. When stdin is not a terminal, the password is read from it, for scripts:',
    '  printf %s "$PASSWORD" | todo login --email me@example.com',
    PLAIN_HTTP,
  ],
  async run(context) {
    const { io, url, values, args } = context;
    if (args.length > 0) throw usageError('todo login takes no arguments.');
    let email = values.email?.trim();
    if (!email && !io.stdin.isTTY) throw usageError('Give --email when the password comes from stdin.');
    await confirmPlainHttp(context);
    email ||= answered(await ask(io, 'Email'));
    const [password] = await readPasswords(io, ['Password']);
    if (!email || !password) throw usageError('Both an email and a password are needed.');

    const { token, user } = await signIn({ url, email, password }).catch((error: unknown) => {
      throw typedWrong(error, email, 'password');
    });
    await keepSession(io, url, token, user.email);
    print(io, `Signed in to ${url} as ${user.email}.`);
  },
});
