/**
 * Sign-up, sign-in, sign-out and password change for programs (scripts, the CLI, other services): plain fetch calls to
 * Better Auth's endpoints, so no auth library ends up in a client bundle.
 */

export type SignedInUser = { id: string; email: string; name: string };

/** A refused sign-up, sign-in, sign-out or password change, with Better Auth's status and code (e.g. INVALID_EMAIL_OR_PASSWORD). */
export class TodoAuthError extends Error {
  override name = 'TodoAuthError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

type AuthCallOptions = { url: string; fetch?: typeof fetch };

const base = (url: string) => url.replace(/\/+$/, '');

async function refusal(response: Response, action: string): Promise<TodoAuthError> {
  let body: { message?: unknown; code?: unknown } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {}
  const message =
    typeof body.message === 'string' ? body.message : `${action} failed (HTTP ${response.status})`;
  return new TodoAuthError(message, response.status, typeof body.code === 'string' ? body.code : undefined);
}

/**
 * Signs in with email and password and returns the session token to send as
 * `Authorization: Bearer <token>` (what `createTodoClient({ token })` does).
 *
 * Node's fetch sends `Sec-Fetch-Mode`, on which the server requires an Origin; a program
 * talking to the server is on the server's side, so it sends the server's own origin.
 *
 * @example
 * const { token } = await signIn({ url: 'http://localhost:3000', email, password });
 * const api = createTodoClient({ url: 'http://localhost:3000', token });
 */
export async function signIn(
  options: AuthCallOptions & { email: string; password: string },
): Promise<{ token: string; user: SignedInUser }> {
  const doFetch = options.fetch ?? fetch;
  const response = await doFetch(`${base(options.url)}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(options.url).origin },
    body: JSON.stringify({ email: options.email, password: options.password }),
  });
  if (!response.ok) throw await refusal(response, 'Sign-in');
  const token = response.headers.get('set-auth-token');
  if (!token) throw new TodoAuthError('The server sent no session token', response.status, undefined);
  const body = (await response.json()) as { user: SignedInUser };
  return { token, user: { id: body.user.id, email: body.user.email, name: body.user.name } };
}

/** Ends the session on the server at once; the token is useless afterwards. */
export async function signOut(options: AuthCallOptions & { token: string }): Promise<void> {
  const doFetch = options.fetch ?? fetch;
  const response = await doFetch(`${base(options.url)}/api/auth/sign-out`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.token}` },
  });
  if (!response.ok) throw await refusal(response, 'Sign-out');
}

/**
 * Creates an account (and, unless the server requires a verified email first, signs in: then
 * `token` is the new session's; it is null while the address awaits verification).
 *
 * @example
 * const { token, user } = await signUp({ url: 'http://localhost:3000', name: 'Ada', email, password });
 */
export async function signUp(
  options: AuthCallOptions & { name: string; email: string; password: string },
): Promise<{ token: string | null; user: SignedInUser }> {
  const doFetch = options.fetch ?? fetch;
  const response = await doFetch(`${base(options.url)}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(options.url).origin },
    body: JSON.stringify({ name: options.name, email: options.email, password: options.password }),
  });
  if (!response.ok) throw await refusal(response, 'Sign-up');
  const body = (await response.json()) as { token?: string | null; user: SignedInUser };
  const token = response.headers.get('set-auth-token') ?? body.token ?? null;
  return { token, user: { id: body.user.id, email: body.user.email, name: body.user.name } };
}

/**
 * Changes the signed-in user's password. With `revokeOtherSessions` every session ends, this
 * one included, and the answer's `token` is the one new session to use from now on; without
 * it, `token` is null and the sessions (this one too) go on.
 *
 * @example
 * const { token } = await changePassword({ url, token: old, currentPassword, newPassword, revokeOtherSessions: true });
 */
export async function changePassword(
  options: AuthCallOptions & {
    token: string;
    currentPassword: string;
    newPassword: string;
    revokeOtherSessions?: boolean;
  },
): Promise<{ token: string | null }> {
  const doFetch = options.fetch ?? fetch;
  const response = await doFetch(`${base(options.url)}/api/auth/change-password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
    body: JSON.stringify({
      currentPassword: options.currentPassword,
      newPassword: options.newPassword,
      revokeOtherSessions: options.revokeOtherSessions ?? false,
    }),
  });
  if (!response.ok) throw await refusal(response, 'Password change');
  const body = (await response.json()) as { token?: string | null };
  return { token: response.headers.get('set-auth-token') ?? body.token ?? null };
}
