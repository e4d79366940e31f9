// Better Auth's email and password endpoints, called with fetch: the session lives in an
// httpOnly cookie that the browser keeps and sends, so nothing is stored by the app itself.
// Signing in, signing up and asking for a reset link: only the sign-in screen, a chunk of its
// own, needs these (auth-api.ts keeps what every load needs: the session check, sign-out).

export type AuthResult = { ok: true } | { ok: false; message: string };

type AuthErrorBody = { code?: string; message?: string };
type Action = 'sign-in' | 'sign-up' | 'reset';

/** Plain words for Better Auth's error codes. Sign-in failures never say whether the email exists. */
function describe(status: number, body: AuthErrorBody, action: Action): string {
  const code = body.code ?? '';
  if (status === 429) return 'Too many attempts. Wait a minute, then try again.';
  if (action === 'sign-in' && (status === 401 || code.includes('INVALID'))) {
    return 'That email and password do not match an account. Check them and try again.';
  }
  if (code.startsWith('USER_ALREADY_EXISTS')) {
    return 'An account with this email already exists. Sign in instead.';
  }
  if (code === 'PASSWORD_TOO_SHORT') return 'The password must be at least 8 characters.';
  if (code === 'PASSWORD_TOO_LONG') return 'The password must be at most 128 characters.';
  if (code === 'RESET_PASSWORD_DISABLED') {
    return 'This server cannot send email, so passwords cannot be reset here. Ask whoever runs it for help.';
  }
  if (code === 'INVALID_EMAIL') return 'Enter a valid email address, like name@example.com.';
  if (status === 503) return 'The server cannot reach its database. Try again in a moment.';
  if (status >= 500) return 'Something went wrong on our side. Try again in a moment.';
  if (action === 'reset') return 'Could not send the link. Try again in a moment.';
  return action === 'sign-in'
    ? 'Could not sign you in. Check your email and password.'
    : 'Could not create the account. Check the fields and try again.';
}

async function post(path: string, body: unknown, action: Action): Promise<AuthResult> {
  let response: Response;
  try {
    response = await fetch(`/api/auth/${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, message: 'Cannot reach the server. Check your connection and try again.' };
  }
  if (response.ok) return { ok: true };
  const errorBody = (await response.json().catch(() => ({}))) as AuthErrorBody;
  return { ok: false, message: describe(response.status, errorBody, action) };
}

export function signIn(input: { email: string; password: string }): Promise<AuthResult> {
  return post('sign-in/email', input, 'sign-in');
}

export function signUp(input: { name: string; email: string; password: string }): Promise<AuthResult> {
  return post('sign-up/email', input, 'sign-up');
}

/**
 * Asks for a reset link. Better Auth answers the same whether or not an account has that email,
 * and so does the form: only a failure to reach the server is reported.
 */
export async function requestPasswordReset(email: string): Promise<AuthResult> {
  return post(
    'request-password-reset',
    { email, redirectTo: `${window.location.origin}/reset-password` },
    'reset',
  );
}
