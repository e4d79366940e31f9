import { type DB, signInFailureStore } from '@todo/db';
import { type BetterAuthOptions, betterAuth } from 'better-auth';
import { bearer } from 'better-auth/plugins';
import type { Kysely } from 'kysely';
import { assertValidName, authHooks } from './auth-hooks.ts';
import { type AuthMail, type MailUser, resetPasswordMail, verifyEmailMail } from './auth-mail.ts';
import { type LimiterQueue, type RateLimitStorage, rateLimitStorage, unqueued } from './auth-rate-limits.ts';
import { type FailureStore, SignInLimiter } from './sign-in-limiter.ts';

/**
 * The server sets this header on every request, overwriting any copy the client sent: the
 * socket's peer, or the client a trusted proxy (TRUSTED_PROXIES) names. Rate limits key on it,
 * so a spoofed `X-Forwarded-For` can neither dodge them nor aim them at someone else.
 */
export const CLIENT_IP_HEADER = 'x-todo-client-ip';

/**
 * Better Auth's tables with our naming: plural tables, snake_case columns, uuid keys. The
 * first migration, and `rate_limits` in migrations/0010, are generated from exactly this (see
 * `scripts/auth-schema.ts`), so the schema and the running auth never disagree.
 */
export const authSchemaOptions = {
  user: {
    modelName: 'users',
    fields: { emailVerified: 'email_verified', createdAt: 'created_at', updatedAt: 'updated_at' },
  },
  session: {
    modelName: 'sessions',
    fields: {
      userId: 'user_id',
      expiresAt: 'expires_at',
      ipAddress: 'ip_address',
      userAgent: 'user_agent',
      createdAt: 'created_at',
      updatedAt: 'updated_at',
    },
  },
  account: {
    modelName: 'accounts',
    fields: {
      userId: 'user_id',
      accountId: 'account_id',
      providerId: 'provider_id',
      accessToken: 'access_token',
      refreshToken: 'refresh_token',
      idToken: 'id_token',
      accessTokenExpiresAt: 'access_token_expires_at',
      refreshTokenExpiresAt: 'refresh_token_expires_at',
      createdAt: 'created_at',
      updatedAt: 'updated_at',
    },
  },
  verification: {
    modelName: 'verifications',
    fields: { expiresAt: 'expires_at', createdAt: 'created_at', updatedAt: 'updated_at' },
  },
  // Better Auth's per-IP limits live in this table (migrations/0010), so that every server
  // process counts against one limit; in memory, each instance would allow a full quota.
  // createAuth counts through its own storage (auth-rate-limits.ts); the table stays the one
  // Better Auth's schema generator emits for these options.
  rateLimit: { storage: 'database', modelName: 'rate_limits', fields: { lastRequest: 'last_request' } },
  advanced: { database: { generateId: 'uuid' } },
} as const;

export type AuthOptions = {
  db: Kysely<DB>;
  secret: string;
  /** The app's own origin, e.g. http://localhost:3000. */
  baseURL: string;
  /** Origins allowed to send cookie-carrying requests (the app's own, plus any listed). */
  trustedOrigins: string[];
  /**
   * Sign-in and sign-up attempts per IP per minute; 0 turns rate limiting off (tests), the
   * per-account limit below included.
   */
  rateLimitPerMinute?: number;
  /**
   * Failed sign-ins for one account from one client within 15 minutes before that client is
   * refused for that account (default 10). Other clients, the owner's, are unaffected.
   */
  signInFailuresPerClient?: number;
  /**
   * Runs each database statement of both limiters; the server passes a queue holding a small
   * share of the pool, so that a flood of attempts cannot take it from signed-in requests.
   */
  limiterQueue?: LimiterQueue;
  sessionExpiresInSeconds?: number;
  /** Account mail; without it (or when it is not enabled) password reset and verification are off. */
  mail?: AuthMail;
  /** Refuse sign-in until the address is confirmed through the link mailed at sign-up. Needs `mail`. */
  requireEmailVerification?: boolean;
  /**
   * Where Better Auth's own messages go (warnings and errors, at its default level), instead of
   * its coloured console lines: the server passes its logger, so they share one format.
   */
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string, error?: Error) => void;
};

/** How long a password reset link works. */
export const RESET_PASSWORD_EXPIRES_IN_SECONDS = 60 * 60;
/** How long an email verification link works; signing in after that sends a new one. */
export const VERIFY_EMAIL_EXPIRES_IN_SECONDS = 60 * 60 * 24;

/** Reset and verification mails one client may ask for per minute (when rate limiting is on). */
export const MAIL_REQUESTS_PER_MINUTE = 3;

/**
 * The window of every per-address rule below; Better Auth's own default rules are no longer
 * (10 and 60 seconds). A `rate_limits` row older than this would restart at 1, so the server
 * prunes past it.
 */
export const RATE_LIMIT_WINDOW_MS = 60_000;
const WINDOW_SECONDS = RATE_LIMIT_WINDOW_MS / 1000;

/**
 * Endpoints not served over HTTP:
 * - two the app does not use, that would let a client mint rate-limit keys through their
 *   parameter: OAuth callbacks (there are no social providers) and the GET that turns a reset
 *   link into a redirect (our reset mail links to the web app's page);
 * - `/verify-password`, meant for the server alone: over HTTP it answered any number of
 *   guesses with a yes or a no.
 * Better Auth checks this list against a request's path; our router (auth-routes.ts) against
 * each route's pattern, so these are refused there before anything else.
 */
const DISABLED_PATHS = ['/callback/:id', '/reset-password/:token', '/verify-password'];

const SIGN_IN_WINDOW_MS = 15 * 60_000;

/**
 * Better Auth's per-address limits: `perMinute` attempts to sign in, sign up or give the
 * password, fewer mail requests, ten times as many of anything else; 0 turns them off.
 */
function rateLimitOptions(perMinute: number, customStorage: RateLimitStorage) {
  const attempts = { window: WINDOW_SECONDS, max: Math.max(perMinute, 1) };
  // Each of these sends a mail to an address the caller names: few, so the app cannot be used
  // to flood someone's inbox.
  const mails = { window: WINDOW_SECONDS, max: MAIL_REQUESTS_PER_MINUTE };
  return {
    ...authSchemaOptions.rateLimit,
    enabled: perMinute > 0,
    customStorage,
    window: WINDOW_SECONDS,
    max: Math.max(perMinute, 1) * 10,
    // Better Auth's defaults for the first four (3 per 10 s) would allow more a minute.
    customRules: {
      '/sign-in/email': attempts,
      '/sign-up/email': attempts,
      '/change-password': attempts,
      '/delete-user': attempts,
      '/request-password-reset': mails,
      '/send-verification-email': mails,
    },
  };
}

/** Email and password sign-up, sign-in and reset: the reset link is mailed when there is mail. */
function emailAndPasswordOptions(
  baseURL: string,
  mail: AuthMail | undefined,
  requireEmailVerification: boolean,
) {
  return {
    enabled: true,
    autoSignIn: true,
    minPasswordLength: 8,
    maxPasswordLength: 128,
    revokeSessionsOnPasswordReset: true,
    requireEmailVerification,
    resetPasswordTokenExpiresIn: RESET_PASSWORD_EXPIRES_IN_SECONDS,
    // The link opens the web app's page, which posts the token and the new password to
    // /reset-password. Mail goes out in the background, so the answer (and its timing) is the
    // same whether or not the address has an account.
    sendResetPassword: mail
      ? async ({ user, token }: { user: MailUser; token: string }) => {
          const link = `${baseURL}/reset-password?token=${encodeURIComponent(token)}`;
          await mail.send(resetPasswordMail(user, link, RESET_PASSWORD_EXPIRES_IN_SECONDS));
        }
      : undefined,
  } satisfies BetterAuthOptions['emailAndPassword'];
}

/** The address check: mailed at sign-up and sign-in only when it is required. */
function emailVerificationOptions(
  baseURL: string,
  mail: AuthMail | undefined,
  requireEmailVerification: boolean,
) {
  return {
    sendOnSignUp: requireEmailVerification,
    sendOnSignIn: requireEmailVerification,
    autoSignInAfterVerification: true,
    expiresIn: VERIFY_EMAIL_EXPIRES_IN_SECONDS,
    sendVerificationEmail: mail
      ? async ({ user, token }: { user: MailUser; token: string }) => {
          const link = `${baseURL}/api/auth/verify-email?token=${encodeURIComponent(token)}&callbackURL=/`;
          await mail.send(verifyEmailMail(user, link, VERIFY_EMAIL_EXPIRES_IN_SECONDS));
        }
      : undefined,
  } satisfies BetterAuthOptions['emailVerification'];
}

/**
 * Better Auth's own messages through `log`. Only an Error among the extra arguments is passed
 * on: the rest may hold request data.
 */
const loggerOption = (log: NonNullable<AuthOptions['log']>) => ({
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string, ...args: unknown[]) =>
    log(
      level,
      message,
      args.find((arg): arg is Error => arg instanceof Error),
    ),
});

/**
 * The name rule again for every write of a user row, whichever endpoint or server-side call
 * makes it: the request hook answers first, this holds for the rest.
 */
const userNameHooks = {
  user: {
    create: { before: async (user: { name: string }) => assertValidName(user.name) },
    update: {
      before: async (data: Record<string, unknown>) => {
        if ('name' in data) assertValidName(data.name);
      },
    },
  },
};

/** Cookies, client addresses and ids. */
function advancedOptions(baseURL: string) {
  return {
    ...authSchemaOptions.advanced,
    ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    useSecureCookies: baseURL.startsWith('https://'),
    defaultCookieAttributes: { httpOnly: true, sameSite: 'lax' as const },
    // Better Auth turns its Origin/CSRF checks off by default when NODE_ENV=test or TEST is
    // set; the refusal of foreign origins must not depend on the environment's name.
    disableOriginCheck: false,
  };
}

/**
 * Email and password accounts on our Kysely instance (one pool, or the one PGlite). Browsers
 * get an httpOnly SameSite=Lax cookie (Secure over https); programs send the token from the
 * `set-auth-token` header as `Authorization: Bearer`. Better Auth's options read top to bottom
 * in the order its documentation gives them; each part with logic of its own has a function.
 *
 * @example
 * const auth = createAuth({ db, secret, baseURL: 'http://localhost:3000', trustedOrigins: ['http://localhost:3000'] });
 */
export function createAuth(options: AuthOptions) {
  const perMinute = options.rateLimitPerMinute ?? 10;
  const queue = options.limiterQueue ?? unqueued;
  const signIns = new SignInLimiter({
    maxFailures: Math.max(options.signInFailuresPerClient ?? 10, 1),
    windowMs: SIGN_IN_WINDOW_MS,
    // In the database, like Better Auth's limits: one count however many processes serve.
    store: queuedStore(signInFailureStore(options.db), queue),
  });
  const mail = options.mail?.enabled ? options.mail : undefined;
  const requireEmailVerification = Boolean(options.requireEmailVerification);
  if (requireEmailVerification && !mail) {
    throw new Error('requireEmailVerification needs mail: nobody could confirm an address, or sign in');
  }
  const auth = betterAuth({
    ...authSchemaOptions,
    database: { db: options.db, type: 'postgres' },
    ...(options.log && { logger: loggerOption(options.log) }),
    // An error that is not Better Auth's own (the database away, a bug) leaves its handler, so
    // the server answers it as it answers every other: 503 with Retry-After while the database
    // is unreachable, else a logged 500. Left to itself, Better Auth answers an empty 500.
    onAPIError: { throw: true },
    secret: options.secret,
    baseURL: options.baseURL,
    basePath: '/api/auth',
    disabledPaths: DISABLED_PATHS,
    trustedOrigins: options.trustedOrigins,
    emailAndPassword: emailAndPasswordOptions(options.baseURL, mail, requireEmailVerification),
    emailVerification: emailVerificationOptions(options.baseURL, mail, requireEmailVerification),
    user: { ...authSchemaOptions.user, deleteUser: { enabled: true } },
    databaseHooks: userNameHooks,
    session: {
      ...authSchemaOptions.session,
      expiresIn: options.sessionExpiresInSeconds ?? 60 * 60 * 24 * 7,
      updateAge: 60 * 60 * 24,
    },
    rateLimit: rateLimitOptions(perMinute, rateLimitStorage(options.db, { queue })),
    advanced: advancedOptions(options.baseURL),
    // Password checks counted per account and client (Better Auth's limits above are per IP
    // only), and our refusals and messages: auth-hooks.ts.
    hooks: authHooks({
      signIns,
      limitPasswordChecks: perMinute > 0,
      sessionEmail: async (headers): Promise<string | undefined> =>
        (await auth.api.getSession({ headers }))?.user.email,
    }),
    plugins: [bearer()],
  });
  return auth;
}

export type Auth = ReturnType<typeof createAuth>;

/** `store` with each of its statements run through `queue`. */
const queuedStore = (store: FailureStore, queue: LimiterQueue): FailureStore => ({
  get: (key, now) => queue(() => store.get(key, now)),
  increment: (key, now, windowMs) => queue(() => store.increment(key, now, windowMs)),
  delete: (key) => queue(() => store.delete(key)),
});
