import { errorCode, TodoAuthError, TRPCClientError } from '@todo/client';
import { forgetToken } from './config-store.ts';

/** Exit codes, so scripts can tell failures apart (130 as a shell reports Ctrl-C). */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  notSignedIn: 3,
  notFound: 4,
  unreachable: 5,
  cancelled: 130,
} as const;

/** A failure already put in plain words, with the exit code that goes with it. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Wrong usage, in one sentence that says what would work. */
export const usageError = (message: string) => new CliError(message, EXIT.usage);

export const cancelled = () => new CliError('Cancelled.', EXIT.cancelled);

const isUnreachable = (error: unknown) => {
  const cause = error instanceof TRPCClientError ? error.cause : error;
  return cause instanceof TypeError && /fetch failed/i.test(cause.message);
};

/** The session's token was refused: forget it (if it is still the stored one), and say so. */
export async function sessionEnded(
  env: NodeJS.ProcessEnv,
  url: string,
  token: string | undefined,
): Promise<CliError> {
  await forgetToken(env, url, token);
  return new CliError(`Your session at ${url} has ended. Run \`todo login\` again.`, EXIT.notSignedIn);
}

function explainAuth(error: TodoAuthError): CliError {
  if (error.status === 401) return new CliError('Wrong email or password.', EXIT.error);
  if (error.status === 429)
    return new CliError('Too many attempts. Wait a minute, then try again.', EXIT.error);
  return new CliError(`The server refused: ${error.message}`, EXIT.error);
}

async function explainCall(
  error: Error,
  env: NodeJS.ProcessEnv,
  url: string,
  token: string | undefined,
): Promise<CliError> {
  switch (errorCode(error)) {
    case 'UNAUTHORIZED':
      return sessionEnded(env, url, token);
    case 'NOT_FOUND':
      return new CliError('No such todo.', EXIT.notFound);
    case 'BAD_REQUEST':
      return new CliError(`Not accepted: ${error.message}`, EXIT.usage);
    case 'TOO_MANY_REQUESTS':
      return new CliError('Too many requests. Wait a little, then try again.', EXIT.error);
    case undefined:
      return new CliError(`${url} did not answer like a todo server: ${error.message}`, EXIT.error);
    default:
      return new CliError(`The server failed: ${error.message}`, EXIT.error);
  }
}

/**
 * Any failure, in plain words with its exit code. `token` is the one the command used: only
 * that one is forgotten when the server refuses it.
 *
 * @example
 * const failure = await explain(error, process.env, 'http://localhost:3000', token);
 * process.stderr.write(`todo: ${failure.message}\n`);
 * process.exitCode = failure.exitCode;
 */
export async function explain(
  error: unknown,
  env: NodeJS.ProcessEnv,
  url: string,
  token: string | undefined,
): Promise<CliError> {
  if (error instanceof CliError) return error;
  if (isUnreachable(error)) {
    return new CliError(
      `Cannot reach the server at ${url}. Is it running? (Choose another with --url or TODO_URL.)`,
      EXIT.unreachable,
    );
  }
  // 503: the server runs but cannot reach its database. Nothing was done; later, it will be.
  if (
    errorCode(error) === 'SERVICE_UNAVAILABLE' ||
    (error instanceof TodoAuthError && error.status === 503)
  ) {
    return new CliError(
      `The server at ${url} cannot reach its database; try again in a moment.`,
      EXIT.unreachable,
    );
  }
  if (error instanceof TodoAuthError) return explainAuth(error);
  if (error instanceof TRPCClientError) return explainCall(error, env, url, token);
  return new CliError(error instanceof Error ? error.message : String(error), EXIT.error);
}
