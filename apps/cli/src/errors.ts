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

/** Whether a BAD_REQUEST is about the fields of the input (the server's zodError). */
const isFieldError = (error: Error) => {
  const data = (error as { data?: { zodError?: unknown } }).data;
  return Boolean(data?.zodError);
};

/** The server's words as a sentence of ours: a capital first, a full stop last. */
export const sentence = (text: string) => {
  const trimmed = text.trim();
  const capital = `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}`;
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};

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
    case 'FORBIDDEN':
      // A viewer's write to a todo of a shared list (a command about a list words its own).
      return new CliError('You can view this list but not change it.', EXIT.error);
    case 'BAD_REQUEST':
      // A field the server checked ("title: must not be empty"), or a rule it says in a sentence.
      return new CliError(
        isFieldError(error) ? `Not accepted: ${error.message}` : sentence(error.message),
        EXIT.usage,
      );
    case 'TOO_MANY_REQUESTS':
      // The API says how long to wait when it knows ("try again in 12 minutes"); a proxy does not.
      return new CliError(
        /^HTTP \d+$/.test(error.message) || !error.message
          ? 'Too many requests. Wait a little, then try again.'
          : sentence(error.message),
        EXIT.error,
      );
    case 'PRECONDITION_FAILED':
      // The server cannot do this at all (it sends no mail, so no invites).
      return new CliError(sentence(error.message), EXIT.error);
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
