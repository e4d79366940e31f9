// The account page's calls: Better Auth's own endpoints (name, password, sessions, deletion,
// password reset) and the API's `account.export` / `account.import`, all with fetch on the
// page's origin so the httpOnly session cookie goes along and the page stays out of the
// first-load bundle's dependencies.

/** `unauthorized` is set when the session has ended: the caller sends the user to sign-in. */
export type Result<T = undefined> =
  | { ok: true; value: T }
  | { ok: false; message: string; unauthorized?: boolean };

type ErrorBody = { code?: string; message?: string };

const UNREACHABLE = 'Cannot reach the server. Check your connection and try again.';

/** Plain words for Better Auth's error codes on the account endpoints. */
function describe(status: number, body: ErrorBody): string {
  const code = body.code ?? '';
  if (status === 401) return 'Your session has ended. Sign in again to continue.';
  if (status === 429) return 'Too many attempts. Wait a minute, then try again.';
  if (code === 'INVALID_PASSWORD' || code === 'INVALID_EMAIL_OR_PASSWORD')
    return 'That password is not right.';
  if (code === 'PASSWORD_TOO_SHORT') return 'The new password must be at least 8 characters.';
  if (code === 'PASSWORD_TOO_LONG') return 'The new password must be at most 128 characters.';
  if (code === 'INVALID_TOKEN') return 'This reset link is not valid any more. Ask for a new one.';
  // Better Auth lists sessions only for a sign-in less than a day old (its `freshAge`).
  if (code === 'SESSION_EXPIRED' || code === 'SESSION_NOT_FRESH') {
    return 'For your safety, this needs a recent sign-in: sign out, sign in again, then come back here.';
  }
  if (status >= 500) return 'Something went wrong on our side. Try again in a moment.';
  return body.message ? `${body.message}.`.replace(/\.\.$/, '.') : 'That did not work. Try again.';
}

async function authCall<T>(path: string, body?: unknown): Promise<Result<T>> {
  let response: Response;
  try {
    response = await fetch(`/api/auth/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, message: UNREACHABLE };
  }
  const parsed = (await response.json().catch(() => null)) as unknown;
  if (response.ok) return { ok: true, value: parsed as T };
  return {
    ok: false,
    message: describe(response.status, (parsed ?? {}) as ErrorBody),
    unauthorized: response.status === 401,
  };
}

export type DeviceSession = {
  id: string;
  token: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  ipAddress?: string | null;
  userAgent?: string | null;
};

export const updateName = (name: string) => authCall('update-user', { name });

export const changePassword = (input: {
  currentPassword: string;
  newPassword: string;
  revokeOtherSessions: boolean;
}) => authCall('change-password', input);

export const listSessions = () => authCall<DeviceSession[]>('list-sessions');

/** The id of this browser's own session, to mark it in the list. */
export async function currentSessionId(): Promise<Result<string | null>> {
  const result = await authCall<{ session?: { id: string } } | null>('get-session');
  return result.ok ? { ok: true, value: result.value?.session?.id ?? null } : result;
}

export const revokeSession = (token: string) => authCall('revoke-session', { token });

export const revokeOtherSessions = () => authCall('revoke-other-sessions', {});

export const deleteAccount = (password: string) => authCall('delete-user', { password });

export const resetPassword = (input: { newPassword: string; token: string }) =>
  authCall('reset-password', input);

export type ImportSummary = { added: number; skipped: number };

type TrpcErrorBody = { error?: { message?: string; data?: { code?: string } } };

/** The message of a refused import: the API's field messages ("todos.0.id: …; …"), three at most. */
export function importMessage(body: TrpcErrorBody): string {
  const problems = (body.error?.message ?? '').split('; ').filter(Boolean);
  const shown = problems.slice(0, 3).join('; ').replace(/\.$/, '');
  const more = problems.length > 3 ? ` and ${problems.length - 3} more problems` : '';
  return `This file cannot be imported${shown ? ` (${shown}${more})` : ''}. Nothing was changed.`;
}

async function trpcCall<T>(path: string, input?: unknown): Promise<Result<T>> {
  let response: Response;
  try {
    response = await fetch(`/api/trpc/${path}`, {
      method: input === undefined ? 'GET' : 'POST',
      credentials: 'same-origin',
      headers: input === undefined ? {} : { 'content-type': 'application/json' },
      body: input === undefined ? undefined : JSON.stringify(input),
    });
  } catch {
    return { ok: false, message: UNREACHABLE };
  }
  const body = (await response.json().catch(() => ({}))) as { result?: { data?: T } } & TrpcErrorBody;
  if (response.ok) return { ok: true, value: body.result?.data as T };
  if (response.status === 401) {
    return { ok: false, message: 'Your session has ended. Sign in again to continue.', unauthorized: true };
  }
  if (response.status === 400 || response.status === 413) return { ok: false, message: importMessage(body) };
  return { ok: false, message: describe(response.status, {}) };
}

/** Everything of the caller's, as `account.export` gives it. */
export const exportData = () => trpcCall<{ exportedAt: string; todos: unknown[] }>('account.export');

export const importData = (file: unknown) => trpcCall<ImportSummary>('account.import', file);
