/**
 * Generators of hostile input for the property tests (`*.fuzz.test.ts`): every procedure's
 * input, mostly well-formed enough to reach the database and partly garbage, built from
 * strings that have broken parsers, drivers and SQL before. Test-only: imports fast-check.
 */
import fc from 'fast-check';

/** A fixed seed, so a failure reproduces; FUZZ_SEED picks another, FUZZ_RUNS scales the runs. */
export const fuzzSeed = Number(process.env.FUZZ_SEED ?? 20_261_122);
export const fuzzRuns = (base: number) =>
  Math.max(1, Math.round(base * Number(process.env.FUZZ_RUNS_SCALE ?? 1)));

const nasty = [
  '',
  ' ',
  '\t\n\r',
  '\0',
  'a\0b',
  '\uD800',
  '\uDFFF',
  'x\uDC00y',
  '\u202Eevil\u202C',
  '\u200F\u0627\u0644\u0639\u0631\u0628\u064A\u0629',
  '\uFEFF',
  '\u00A0',
  '\u2028',
  '😀',
  '👩‍👩‍👧‍👦',
  'e\u0301',
  'İ',
  'ß',
  "'",
  '"',
  '\\',
  '%',
  '_',
  '%_\\%',
  "' or 1=1 --",
  "'; drop table todos; --",
  '$1',
  '$$',
  '::uuid',
  '\\x00',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '{{7*7}}',
  'NaN',
  '-1',
];

/** One character of anything: any code point, lone surrogates, NUL, controls, metacharacters. */
const hostileChar = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)) },
  { weight: 2, arbitrary: fc.constantFrom(...'%_\\\'";-*/()[]{}$`\u202E\u200B') },
);

/** Strings around every length limit (0, 1, 500, 501, 10,000, 10,001, 100,000) and of any content. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...nasty) },
  { weight: 4, arbitrary: fc.string({ unit: hostileChar, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(499, 500, 501, 9_999, 10_000, 10_001, 100_000), hostileChar)
      .map(([length, char]) => char.repeat(length).slice(0, length)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(' ', '\u3000', '\t'), fc.nat({ max: 600 }))
      .map(([c, n]) => c.repeat(n)),
  },
);

/** Any JSON-ish value of the wrong kind: numbers, booleans, null, arrays, objects, strings. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, 2 ** 53, Number.NaN) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }) },
);

/** Keys nobody asked for, including prototype-pollution classics. */
const extraKeys = fc.dictionary(
  fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'userId', 'user_id', 'id'),
    hostileString,
  ),
  hostileValue,
  { minKeys: 1, maxKeys: 2 },
);

/** Half the time a value of the expected kind, half the time anything at all. */
const either = <T>(good: fc.Arbitrary<T>) => fc.oneof(good, hostileValue);

/** An input object: its fields each present or absent, sometimes with extra keys, sometimes not an object. */
const inputObject = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record(fields, { requiredKeys: [] }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.record(fields, { requiredKeys: [] }), extraKeys)
        .map(([input, extra]) => ({ ...extra, ...input })),
    },
    { weight: 1, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

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

/** Every procedure's input, from valid to absurd. */
export function procedureInputs(pools: IdPools) {
  const ownId = fc.tuple(fc.nat(), fc.uuid()).map(([n, fallback]) => {
    const own = pools.own();
    return own[n % Math.max(own.length, 1)] ?? fallback;
  });
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
  const realCursor = fc.nat().map((n) => {
    const cursors = pools.cursors();
    return cursors[n % Math.max(cursors.length, 1)] ?? null;
  });
  const title = either(hostileString);
  const description = fc.oneof(hostileString, fc.constant(null), hostileValue);
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
  const priority = either(fc.constantFrom('none', 'low', 'medium', 'high', 'HIGH', 'urgent', ''));
  const dueAt = fc.oneof(instant, fc.constant(null));
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
    ...listInputs(pools),
    me: fc.oneof(fc.constant(undefined), hostileValue),
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
  } satisfies Record<string, fc.Arbitrary<unknown>>;
}

export type ProcedurePath = keyof ReturnType<typeof procedureInputs>;

/** Every procedure the generators cover, and which of them are queries (GET over HTTP). */
export const PROCEDURE_PATHS = Object.keys(
  procedureInputs({ own: () => [], foreign: [''], cursors: () => [] }),
) as ProcedurePath[];
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
