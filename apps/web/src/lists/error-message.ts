import { TRPCClientError } from '@todo/client';
import { reasonFor } from '../todos/write-notices.ts';

/** Refusals whose message the server writes for people. */
const EXPLAINED = new Set(['BAD_REQUEST', 'FORBIDDEN', 'TOO_MANY_REQUESTS', 'PRECONDITION_FAILED']);

/**
 * What the server said about a refused list action, in words: its own message for the refusals
 * it explains (limits, Inbox rules, roles, another address's invite, an invite rate limit), else
 * the usual reason.
 *
 * @example
 * errorMessage(error); // "Too many invites from this account: try again in 12 minutes"
 */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const code = (error.data as { code?: string } | undefined)?.code;
    if (code && EXPLAINED.has(code) && !(error.data as { zodError?: unknown }).zodError) return error.message;
  }
  return reasonFor(error);
}
