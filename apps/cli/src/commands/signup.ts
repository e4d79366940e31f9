import { signUp } from '@todo/client';
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

export const signupCommand = defineCommand({
  name: 'signup',
  summary: 'Create an account and sign in',
  options: {
    name: { type: 'string', value: '<name>', help: 'Your name (asked when not given)' },
    email: { type: 'string', value: '<email>', help: 'Your email address (asked when not given)' },
    yes: YES_OPTION,
  },
  details: [
    'Asks for what is not given, and the password twice, masked. When stdin is not a terminal, the password is read from it, for scripts:',
    '  printf %s "$PASSWORD" | todo signup --name Ada --email ada@example.com',
    'When the server wants the address verified first, it says so and signs in nothing: follow the link in the mail, then `todo login`.',
    PLAIN_HTTP,
  ],
  async run(context) {
    const { io, url, values, args } = context;
    if (args.length > 0) throw usageError('todo signup takes no arguments.');
    const interactive = Boolean(io.stdin.isTTY);
    let name = values.name?.trim();
    let email = values.email?.trim();
    if ((!name || !email) && !interactive)
      throw usageError('Give --name and --email when the password comes from stdin.');
    await confirmPlainHttp(context);
    name ||= answered(await ask(io, 'Name'));
    email ||= answered(await ask(io, 'Email'));
    const [password, again] = await readPasswords(
      io,
      interactive ? ['Password', 'Password again'] : ['Password'],
    );
    if (!name || !email || !password) throw usageError('A name, an email and a password are needed.');
    if (interactive && password !== again) throw usageError('The two passwords differ; nothing was sent.');

    const { token, user } = await signUp({ url, name, email, password }).catch((error: unknown) => {
      throw typedWrong(error, email, 'password');
    });
    if (!token) {
      print(
        io,
        `Account created for ${user.email}. Follow the link in the mail sent to it, then \`todo login\`.`,
      );
      return;
    }
    await keepSession(io, url, token, user.email);
    print(io, `Account created. Signed in to ${url} as ${user.email}.`);
  },
});
