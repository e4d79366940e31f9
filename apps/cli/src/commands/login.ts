import { signIn } from '@todo/client';
import type { Command } from '../command.ts';
import {
  answered,
  confirmPlainHttp,
  keepSession,
  PASSWORD_FROM_STDIN,
  PLAIN_HTTP,
  readPasswords,
} from '../credentials.ts';
import { usageError } from '../errors.ts';
import { print } from '../output.ts';
import { ask } from '../prompt.ts';

export const loginCommand: Command = {
  name: 'login',
  usage: 'todo login [--email <email>]',
  summary: 'Sign in (asks for the password)',
  options: ['email', 'yes'],
  details:
    'Asks for the email (unless --email is given) and the password, masked.' +
    PASSWORD_FROM_STDIN +
    '  printf %s "$PASSWORD" | todo login --email me@example.com\n' +
    PLAIN_HTTP,
  async run(context) {
    const { io, url, values, args } = context;
    if (args.length > 0) throw usageError('todo login takes no arguments.');
    let email = values.email?.trim();
    if (!email && !io.stdin.isTTY) throw usageError('Give --email when the password comes from stdin.');
    await confirmPlainHttp(context);
    email ||= answered(await ask(io, 'Email'));
    const [password] = await readPasswords(io, ['Password']);
    if (!email || !password) throw usageError('Both an email and a password are needed.');

    const { token, user } = await signIn({ url, email, password });
    await keepSession(io, url, token, user.email);
    print(io, `Signed in to ${url} as ${user.email}.`);
  },
};
