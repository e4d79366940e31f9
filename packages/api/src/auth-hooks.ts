import { isDatabaseUnavailable } from '@todo/db';
import { APIError, createAuthMiddleware, getIP, isAPIError } from 'better-auth/api';
import { SignInLimiter } from './sign-in-limiter.ts';
import { nameProblem } from './user-name.ts';

type HookContext = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

/**
 * Every endpoint served over HTTP that checks the caller's password, how it names the account,
 * and how it says the password was wrong. Each goes through the one per-account and per-client
 * limiter, so a guesser gets the same 10 tries whichever endpoint it uses, a stolen session
 * included. (`/verify-password` also checks one; it is meant for the server alone and disabled.)
 * `auth-routes.test.ts` fails when Better Auth serves another endpoint that takes a password.
 */
export const PASSWORD_CHECKS = {
  '/sign-in/email': { account: 'body email', wrong: (error: APIError) => error.statusCode === 401 },
  '/change-password': { account: 'session', wrong: isInvalidPassword },
  '/delete-user': { account: 'session', wrong: isInvalidPassword },
} as const satisfies Record<
  string,
  { account: 'body email' | 'session'; wrong: (error: APIError) => boolean }
>;

function isInvalidPassword(error: APIError) {
  return error.statusCode === 400 && error.body?.code === 'INVALID_PASSWORD';
}

const isPasswordCheck = (path: string | undefined): path is keyof typeof PASSWORD_CHECKS =>
  path !== undefined && Object.hasOwn(PASSWORD_CHECKS, path);

type Attempt = { path: keyof typeof PASSWORD_CHECKS; account: string; client: string };

/** The email of the session these request headers carry (cookie or bearer), if any. */
export type SessionEmail = (headers: Headers) => Promise<string | undefined>;

/**
 * Refuses a name that breaks the rules (`nameProblem`) with 400 `INVALID_NAME` and a message
 * that names the field; for Better Auth's hooks, request and database alike.
 */
export function assertValidName(name: unknown): void {
  const problem = nameProblem(name);
  if (problem) throw new APIError('BAD_REQUEST', { code: 'INVALID_NAME', message: problem });
}

/**
 * Better Auth's `hooks`: what runs before and after each of its endpoints.
 * - A name that breaks the rules is refused at sign-up and update-user before anything else, so
 *   the answer never depends on whether the address has an account.
 * - Password checks (`PASSWORD_CHECKS`): a client that has failed too often for an account is
 *   refused before the password is looked at, with `Retry-After`; the outcome is counted after.
 *   The owner's other clients are not affected. Off with `limitPasswordChecks: false` (tests).
 * - `/delete-user` needs the password, always.
 * - A sign-in refused for an unverified address says so with our message.
 */
export function authHooks({
  signIns,
  limitPasswordChecks,
  sessionEmail,
}: {
  signIns: SignInLimiter;
  limitPasswordChecks: boolean;
  sessionEmail: SessionEmail;
}) {
  // Better Auth hands both hooks of one call the same context object: the attempt the
  // `before` hook checked is the one the `after` hook counts.
  const attempts = new WeakMap<object, Attempt>();
  return {
    before: createAuthMiddleware(async (ctx) => {
      if ((ctx.path === '/sign-up/email' || ctx.path === '/update-user') && ctx.body && 'name' in ctx.body) {
        assertValidName(ctx.body.name);
      }
      // Better Auth deletes without a password when the session is less than a day old; a
      // borrowed, unlocked device must not be enough to erase an account.
      if (ctx.path === '/delete-user' && !ctx.body?.password) {
        throw new APIError('BAD_REQUEST', {
          code: 'PASSWORD_REQUIRED',
          message: 'Enter your password to delete your account.',
        });
      }
      if (!limitPasswordChecks) return;
      const attempt = await attemptOf(ctx, sessionEmail);
      if (!attempt) return;
      const verdict = await signIns.check(attempt.account, attempt.client);
      if (!verdict.allowed) {
        throw new APIError(
          'TOO_MANY_REQUESTS',
          {
            message:
              attempt.path === '/sign-in/email'
                ? 'Too many failed sign-in attempts. Please try again later.'
                : 'Too many wrong passwords. Please try again later.',
          },
          { 'retry-after': String(verdict.retryAfterSeconds) },
        );
      }
      attempts.set(ctx.context, attempt);
    }),
    after: createAuthMiddleware(async (ctx) => {
      const returned = ctx.context.returned;
      // Some of Better Auth's own database calls (a session lookup) end in its own 500. The
      // database away is the server's to answer (503 with Retry-After, app.ts): it leaves the
      // handler as an error, which an APIError never does.
      if (isAPIError(returned) && returned.statusCode >= 500 && isDatabaseUnavailable(returned)) {
        throw new Error('the database is unavailable', { cause: returned });
      }
      if (
        ctx.path === '/sign-in/email' &&
        isAPIError(returned) &&
        returned.body?.code === 'EMAIL_NOT_VERIFIED'
      ) {
        throw new APIError('FORBIDDEN', {
          code: 'EMAIL_NOT_VERIFIED',
          message:
            'Please confirm your email address first: we have sent you a new link. It may take a minute to arrive.',
        });
      }
      const attempt = attempts.get(ctx.context);
      if (!attempt) return;
      if (!isAPIError(returned)) await signIns.recordSuccess(attempt.account, attempt.client);
      else if (PASSWORD_CHECKS[attempt.path].wrong(returned)) {
        await signIns.recordFailure(attempt.account, attempt.client);
      }
    }),
  };
}

/**
 * The account and client of a password check, or null: another endpoint, no email, or no
 * session (the endpoint answers 401 itself). The account is the email, as sign-in types it or
 * as the session's user has it, so every endpoint counts against one limit. The session is
 * looked up through Better Auth's own get-session (`sessionEmail`): a user hook runs before the
 * bearer plugin's, so the request's own context does not know a bearer's session yet.
 */
async function attemptOf(ctx: HookContext, sessionEmail: SessionEmail): Promise<Attempt | null> {
  const path = ctx.path;
  if (!isPasswordCheck(path)) return null;
  const email =
    PASSWORD_CHECKS[path].account === 'session'
      ? ctx.headers && (await sessionEmail(ctx.headers))
      : ctx.body?.email;
  const account = SignInLimiter.account(email);
  if (!account) return null;
  // The same key as Better Auth's own per-IP limit: our header, IPv6 reduced to its /64. The
  // server always sets the header; a request without one (an in-process call) shares the
  // bucket 'unknown'.
  const source = ctx.request ?? ctx.headers;
  return { path, account, client: (source && getIP(source, ctx.context.options)) || 'unknown' };
}
