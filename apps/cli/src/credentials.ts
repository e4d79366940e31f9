import { signOut, TodoAuthError } from '@todo/client';
import type { Context, Io } from './command.ts';
import { storeToken } from './config-store.ts';
import { CliError, cancelled, EXIT, usageError } from './errors.ts';
import { askHidden, askYesNo, readAll } from './prompt.ts';

export const PLAIN_HTTP =
  'Over plain http to another machine, it warns and asks first; --yes sends without asking.';

/** The answer to a prompt; Ctrl-C ends the command. */
export const answered = <T>(answer: T | null): T => {
  if (answer === null) throw cancelled();
  return answer;
};

const isLoopback = (hostname: string) =>
  hostname === 'localhost' ||
  hostname.endsWith('.localhost') ||
  hostname === '[::1]' ||
  /^127(\.\d{1,3}){3}$/.test(hostname);

/**
 * Before a password goes over plain http to another machine: a warning, then a yes/no
 * question whose default is no. A script (no terminal to ask on) must say --yes.
 */
export async function confirmPlainHttp({ io, url, values }: Context): Promise<void> {
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'http:' || isLoopback(hostname)) return;
  io.stderr.write(
    `todo: warning: ${url} is plain http; your password would cross the network unencrypted (use https).\n`,
  );
  if (values.yes) return;
  if (!io.stdin.isTTY) throw usageError('Give --yes to send a password over plain http anyway.');
  const go = answered(await askYesNo(io, `Send your password to ${hostname} unencrypted?`));
  if (!go) throw new CliError('Nothing was sent.', EXIT.error);
}

/**
 * The password(s) a command needs: asked on a terminal, else one per line of stdin.
 *
 * @example
 * const [password, again] = await readPasswords(io, ['Password', 'Password again']);
 */
export async function readPasswords(io: Io, questions: string[]): Promise<string[]> {
  if (io.stdin.isTTY) {
    const answers: string[] = [];
    for (const question of questions) answers.push(answered(await askHidden(io, question)));
    return answers;
  }
  const lines = (await readAll(io.stdin)).split(/\r?\n/);
  return questions.map((_, index) => lines[index] ?? '');
}

/** Keeps a new session's token; the session it replaces should not live on, unused, on the server. */
export async function keepSession(io: Io, url: string, token: string, email: string): Promise<void> {
  const previous = await storeToken(io.env, url, token, email);
  if (previous && previous !== token) await signOut({ url, token: previous }).catch(() => {});
}

/**
 * A refusal of the account server that is about what the person typed (the email's form, the
 * password's length): one sentence, exit code 2. Anything else is passed on as it is. The
 * lengths are the server's (packages/api's auth.ts), as the web app says them too.
 *
 * @example
 * await signUp({ url, name, email, password }).catch((error) => { throw typedWrong(error, email, 'password'); });
 */
export function typedWrong(error: unknown, email: string, password: 'password' | 'new password'): unknown {
  if (!(error instanceof TodoAuthError) || error.status !== 400) return error;
  if (error.code === 'PASSWORD_TOO_SHORT')
    return usageError(`The ${password} must be at least 8 characters.`);
  if (error.code === 'PASSWORD_TOO_LONG')
    return usageError(`The ${password} must be at most 128 characters.`);
  if (error.code === 'INVALID_EMAIL' || (error.code === 'VALIDATION_ERROR' && /email/i.test(error.message)))
    return usageError(`"${email}" is not a valid email address.`);
  return error;
}
