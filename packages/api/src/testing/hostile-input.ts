/**
 * Generators of every procedure's input for the property tests (`*.fuzz.test.ts`), mostly
 * well-formed enough to reach the database and partly garbage, built from the hostile values of
 * hostile-values.ts and the ids, cursors and tokens the tests made. What each procedure may
 * answer them with: expected-answers.ts. Test-only: imports fast-check.
 */
import fc from 'fast-check';
import { either, hostileString, hostileValue, inputObject } from './hostile-values.ts';

/** A cursor-shaped string: base64url of a JSON array like the list's cursors, valid or nearly so. */
const cursorLike = (ids: fc.Arbitrary<string>) => fc.oneof(creationCursorLike(ids), orderCursorLike);

const positionLike = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true }).map(String),
  fc.constantFrom('1.5', '-0', '1e5', 'NaN', 'Infinity', '9'.repeat(41), `1.${'1'.repeat(61)}`, '1..2', ''),
  hostileString,
);
const orderCursorLike = fc
  .oneof(
    fc.tuple(fc.constantFrom('manual', 'due', 'priority', 'newest'), positionLike),
    fc.tuple(
      fc.constantFrom('due', 'manual'),
      fc.oneof(
        fc.constantFrom('infinity', '2026-12-24 10:00:00+00', '2026-02-31 00:00:00+00'),
        hostileString,
      ),
      positionLike,
    ),
    fc.tuple(fc.constant('priority'), fc.oneof(fc.integer({ min: -2, max: 5 }), hostileValue), positionLike),
  )
  .map((value) => Buffer.from(JSON.stringify(value)).toString('base64url'));

const creationCursorLike = (ids: fc.Arbitrary<string>) =>
  fc
    .tuple(
      fc.oneof(
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
        fc.constantFrom(
          '2026-02-31 00:00:00+00',
          '1',
          '0001-01-01 BC',
          '-000001-01-01T00:00:00Z',
          'now',
          'infinity',
        ),
        hostileString,
      ),
      fc.oneof(ids, hostileString),
    )
    .map((value) => Buffer.from(JSON.stringify(value)).toString('base64url'));

export type IdPools = {
  /** The fuzzing user's todo ids (some may be gone by the time they are used). */
  own: () => string[];
  /** Another user's ids: must always come back NOT_FOUND. */
  foreign: string[];
  /** Cursors a real list returned. */
  cursors: () => string[];
  /**
   * Lists: the fuzzing user's own (some may be gone), another user's that they are no member of
   * (NOT_FOUND, always), and another user's that they only view (FORBIDDEN for every write).
   */
  lists?: { own: () => string[]; foreign: string[]; viewing: string[] };
  /** Users' ids: the fuzzing user's, the other user's. */
  users?: string[];
  /** Invite ids and tokens that exist (or existed) for someone. */
  invites?: () => { ids: string[]; tokens: string[] };
};

/** A uuid of the pool, or one made up, or one spelled otherwise, or anything at all. */
const idFrom = (pool: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 4, arbitrary: pool },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: pool.map((id) => id.toUpperCase()) },
    { weight: 1, arbitrary: pool.map((id) => `{${id}}`) },
    { weight: 2, arbitrary: hostileValue },
  );
const pick = (pool: () => string[]) =>
  fc.tuple(fc.nat(), fc.uuid()).map(([n, fallback]) => {
    const ids = pool();
    return ids[n % Math.max(ids.length, 1)] ?? fallback;
  });

/** The list and invite procedures' inputs, from valid to absurd. */
function listInputs(pools: IdPools) {
  const lists = pools.lists ?? { own: () => [], foreign: [], viewing: [] };
  const listId = idFrom(
    fc.oneof(
      pick(lists.own),
      pick(() => lists.foreign),
      pick(() => lists.viewing),
    ),
  );
  const userId = idFrom(pick(() => pools.users ?? []));
  const inviteId = idFrom(pick(() => pools.invites?.().ids ?? []));
  const token = fc.oneof(
    pick(() => pools.invites?.().tokens ?? []),
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
    hostileValue,
  );
  const name = either(hostileString);
  const role = either(fc.constantFrom('editor', 'viewer', 'owner', 'admin', 'EDITOR', ''));
  const email = either(
    fc.oneof(
      { weight: 3, arbitrary: fc.nat({ max: 40 }).map((n) => `friend${n}@example.com`) },
      { weight: 1, arbitrary: fc.emailAddress() },
      {
        weight: 1,
        arbitrary: fc.constantFrom('a@b', 'UPPER@EXAMPLE.COM', '@example.com', 'a@@b.c', 'a@b.c\nBcc: x@y.z'),
      },
      { weight: 1, arbitrary: hostileString.map((local) => `${local}@example.com`) },
    ),
  );
  return {
    'list.all': fc.oneof(fc.constant(undefined), hostileValue),
    'list.create': inputObject({ name }),
    'list.rename': inputObject({ id: listId, name }),
    'list.delete': inputObject({ id: listId }),
    'list.move': inputObject({ id: listId, afterId: fc.oneof(listId, fc.constant(null)) }),
    'list.members': inputObject({ id: listId }),
    // Well-formed half the time: invites that are made, mailed and counted against the quota.
    'list.invite': fc.oneof(
      inputObject({ id: listId, email, role }),
      fc.record({
        id: pick(lists.own),
        email: fc.nat({ max: 40 }).map((n) => `friend${n}@example.com`),
        role: fc.constantFrom('editor', 'viewer'),
      }),
    ),
    'list.revokeInvite': inputObject({ inviteId }),
    'list.setRole': inputObject({ id: listId, userId, role }),
    'list.removeMember': inputObject({ id: listId, userId }),
    'list.leave': inputObject({ id: listId }),
    'invite.get': inputObject({ token }),
    'invite.accept': inputObject({ token }),
    'invite.pending': fc.oneof(fc.constant(undefined), hostileValue),
  };
}

/** The values of a todo's fields, from valid to absurd, which the todo and account procedures share. */
function todoFields(pools: IdPools) {
  const ownId = pick(() => pools.own());
  const foreignId = fc.constantFrom(...pools.foreign);
  const todoId = fc.oneof(
    { weight: 3, arbitrary: ownId },
    { weight: 3, arbitrary: foreignId },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: foreignId.map((id) => id.toUpperCase()) },
    { weight: 1, arbitrary: foreignId.map((id) => `{${id}}`) },
    { weight: 1, arbitrary: foreignId.map((id) => id.replaceAll('-', '')) },
    { weight: 2, arbitrary: hostileValue },
  );
  const listId = fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: pick(() => pools.lists?.own() ?? []) },
    { weight: 2, arbitrary: pick(() => pools.lists?.foreign ?? []) },
    { weight: 2, arbitrary: pick(() => pools.lists?.viewing ?? []) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: hostileValue },
  );
  const instant = fc.oneof(
    fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    fc.constantFrom(
      '2026-02-31T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '0001-01-01T00:00:00+01:00',
      '9999-12-31T23:59:59.999999Z',
      '2026-01-01T00:00:00',
      '2026-01-01T00:00:00.123456789+14:00',
      'now',
      'infinity',
    ),
    hostileValue,
  );
  return {
    ownId,
    foreignId,
    todoId,
    listId,
    title: either(hostileString),
    description: fc.oneof(hostileString, fc.constant(null), hostileValue),
    instant,
    priority: either(fc.constantFrom('none', 'low', 'medium', 'high', 'HIGH', 'urgent', '')),
    dueAt: fc.oneof(instant, fc.constant(null)),
  };
}

type TodoFields = ReturnType<typeof todoFields>;

/** The todo procedures' inputs, from valid to absurd. */
function todoInputs(pools: IdPools, fields: TodoFields) {
  const { ownId, foreignId, todoId, listId, title, description, instant, priority, dueAt } = fields;
  const realCursor = fc.nat().map((n) => {
    const cursors = pools.cursors();
    return cursors[n % Math.max(cursors.length, 1)] ?? null;
  });
  return {
    'todo.list': inputObject({
      listId,
      allLists: either(fc.boolean()),
      filter: either(fc.constantFrom('all', 'active', 'completed')),
      search: either(hostileString),
      order: either(fc.constantFrom('newest', 'oldest', 'manual', 'due', 'priority')),
      dueBefore: instant,
      dueAfter: instant,
      limit: either(fc.integer({ min: -2, max: 102 })),
      cursor: fc.oneof(realCursor, cursorLike(fc.oneof(ownId, foreignId)), hostileValue),
    }),
    'todo.counts': fc.oneof(fc.constant(undefined), inputObject({ listId })),
    'todo.get': inputObject({ id: todoId }),
    'todo.create': inputObject({ id: todoId, listId, title, description, dueAt, priority }),
    'todo.update': inputObject({
      id: todoId,
      title,
      description,
      completed: either(fc.boolean()),
      dueAt,
      priority,
      listId,
    }),
    'todo.move': inputObject({ id: todoId, afterId: fc.oneof(todoId, fc.constant(null)) }),
    'todo.delete': inputObject({ id: todoId }),
    'todo.setAllCompleted': inputObject({ completed: either(fc.boolean()), listId }),
    'todo.clearCompleted': fc.oneof(fc.constant(undefined), inputObject({ listId })),
  };
}

/** The account procedures' inputs: an export asks nothing; an import's file, from valid to absurd. */
function accountInputs({ todoId, title, description, instant, priority, dueAt }: TodoFields) {
  const importedTodo = inputObject({
    id: todoId,
    listId: either(fc.constantFrom('inbox', 'a', 'b', 'missing')),
    title,
    description,
    completed: either(fc.boolean()),
    dueAt,
    priority,
    createdAt: instant,
    updatedAt: instant,
  });
  return {
    'account.export': fc.oneof(fc.constant(undefined), hostileValue),
    'account.import': inputObject({
      lists: either(
        fc.array(
          inputObject({
            id: either(fc.constantFrom('inbox', 'a', 'b')),
            name: either(hostileString),
            isInbox: either(fc.boolean()),
          }),
          { maxLength: 3 },
        ),
      ),
      todos: either(fc.array(importedTodo, { maxLength: 6 })),
      exportedAt: instant,
      user: hostileValue,
    }),
  };
}

/** Every procedure's input, from valid to absurd. */
export function procedureInputs(pools: IdPools) {
  const fields = todoFields(pools);
  return {
    ...todoInputs(pools, fields),
    ...listInputs(pools),
    me: fc.oneof(fc.constant(undefined), hostileValue),
    ...accountInputs(fields),
  } satisfies Record<string, fc.Arbitrary<unknown>>;
}

export type ProcedurePath = keyof ReturnType<typeof procedureInputs>;

/** Every procedure the generators cover. */
export const PROCEDURE_PATHS = Object.keys(
  procedureInputs({ own: () => [], foreign: [''], cursors: () => [] }),
) as ProcedurePath[];
