// Better Auth's session endpoints, called with fetch: the session lives in an httpOnly cookie
// that the browser keeps and sends, so nothing is stored by the app itself. Signing in, signing
// up and reset links: auth-actions.ts, loaded with the sign-in screen.

export async function signOut(): Promise<void> {
  await fetch('/api/auth/sign-out', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
}

export type SessionUser = { id: string; name: string; email: string };

/** Who the session cookie belongs to, or null when there is no valid session. Better Auth
 * answers 200 either way, so a signed-out visit logs no failed request. */
export async function getSessionUser(): Promise<SessionUser | null> {
  const response = await fetch('/api/auth/get-session', { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`session check failed with ${response.status}`);
  const body = (await response.json()) as { user?: SessionUser } | null;
  return body?.user ? { id: body.user.id, name: body.user.name, email: body.user.email } : null;
}
