import { TRPCClientError } from '@todo/client';
import { reasonFor } from '../todos/write-notices.ts';

const EXPLAINED = new Set(['BAD_REQUEST', 'FORBIDDEN', 'TOO_MANY_REQUESTS', 'PRECONDITION_FAILED']);

/**
 * What the server said about a refused list action, in words: its own message for the refusals
 * it explains (limits, Inbox rules, roles, an unverified address, an invite rate limit), else
 * the usual reason.
 *
 * @example
 * errorMessage(error); // "Too many invites from this account: try again in 12 minutes"
 */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string; zodError?: unknown } | undefined;
    if (data?.code && EXPLAINED.has(data.code) && !data.zodError) return error.message;
  }
  return reasonFor(error);
}
