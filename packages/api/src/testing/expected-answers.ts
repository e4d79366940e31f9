/**
 * What the property tests expect of each procedure the generators cover (hostile-input.ts):
 * which are queries, which take a todo id, and what else than success or BAD_REQUEST each may
 * answer hostile input with. Test-only.
 */
import type { ProcedurePath } from './hostile-input.ts';

/** The procedures that are queries (GET over HTTP). */
export const QUERY_PATHS: ReadonlySet<ProcedurePath> = new Set([
  'todo.list',
  'todo.counts',
  'todo.get',
  'me',
  'account.export',
  'list.all',
  'list.members',
  'invite.get',
  'invite.pending',
]);
/**
 * The procedures that take a client-proposed todo id (offline creation): CONFLICT is a valid
 * answer for them alone, and only for an id that another user's todo has.
 */
export const PROPOSED_ID_PATHS: ReadonlySet<ProcedurePath> = new Set(['todo.create']);
/** The procedures that take a todo id. */
export const ID_PATHS: ReadonlySet<ProcedurePath> = new Set([
  'todo.get',
  'todo.update',
  'todo.move',
  'todo.delete',
]);

/**
 * What else than success or BAD_REQUEST each procedure may answer hostile input with: NOT_FOUND
 * for a todo, list, member or invite the caller cannot see, FORBIDDEN for a role that does not
 * allow it, CONFLICT for a proposed id another's todo has, TOO_MANY_REQUESTS past the invites'
 * quota. Never a 5xx.
 */
export const REFUSALS: Record<ProcedurePath, readonly string[]> = {
  me: [],
  'todo.list': ['NOT_FOUND'],
  'todo.counts': ['NOT_FOUND'],
  'todo.get': ['NOT_FOUND'],
  'todo.create': ['NOT_FOUND', 'FORBIDDEN', 'CONFLICT'],
  'todo.update': ['NOT_FOUND', 'FORBIDDEN'],
  'todo.move': ['NOT_FOUND', 'FORBIDDEN'],
  'todo.delete': ['NOT_FOUND', 'FORBIDDEN'],
  'todo.setAllCompleted': ['NOT_FOUND', 'FORBIDDEN'],
  'todo.clearCompleted': ['NOT_FOUND', 'FORBIDDEN'],
  'account.export': [],
  'account.import': [],
  'list.all': [],
  'list.create': [],
  'list.rename': ['NOT_FOUND', 'FORBIDDEN'],
  'list.delete': ['NOT_FOUND', 'FORBIDDEN'],
  'list.move': ['NOT_FOUND'],
  'list.members': ['NOT_FOUND'],
  'list.invite': ['NOT_FOUND', 'FORBIDDEN', 'TOO_MANY_REQUESTS'],
  'list.revokeInvite': ['NOT_FOUND'],
  'list.setRole': ['NOT_FOUND', 'FORBIDDEN'],
  'list.removeMember': ['NOT_FOUND', 'FORBIDDEN'],
  'list.leave': ['NOT_FOUND'],
  'invite.get': ['NOT_FOUND'],
  'invite.accept': ['NOT_FOUND', 'FORBIDDEN'],
  'invite.pending': [],
};

/** The HTTP status of each tRPC error code that REFUSALS names. */
export const REFUSAL_STATUS: Record<string, number> = {
  BAD_REQUEST: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
};
