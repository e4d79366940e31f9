/**
 * Sign-in and sign-out for programs (scripts, the CLI, other services): plain fetch calls to
 * Better Auth's endpoints, so no auth library ends up in a client bundle.
 */

export type SignedInUser = { id: string; email: string; name: string };

/** A refused sign-in or sign-out, with Better Auth's status and code (e.g. INVALID_EMAIL_OR_PASSWORD). */
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
