// The yardstick: the same three endpoints as the tRPC API, written the plainest way there is.
// node:http, one pg Pool of the app's size, two statements per call (the session by its token,
// once per request, then the operation) through unnamed statements, rows through JSON.stringify,
// and answers in tRPC's shape, with every field of the contract's todo (listId, dueAt,
// priority, position, createdBy, updatedBy), so that both servers send comparable bytes. Todos
// live in lists, as the app's do: each operation checks the caller's membership of the list in
// its own statement (it connects as the database's owner, so no row-level security). It takes both request shapes that
// `pnpm bench` sends: one call per URL, and tRPC's batch (`/a,b?batch=1`, inputs keyed "0",
// "1", …) as @todo/client sends it, answered as tRPC answers one: an array, and one status for
// all. No framework, no validation library, no logging: what the stack is measured against, not
// a way to build it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_MAX ?? 10),
  idleTimeoutMillis: Number(process.env.DB_IDLE_TIMEOUT_MS ?? 30_000),
});
pool.on('error', () => {});

type Row = {
  id: string;
  list_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  due_at: Date | null;
  priority: number;
  position: number;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
  cursor_key?: string;
};

const COLUMNS =
  'id, list_id, title, description, completed, due_at, priority, position, created_by, updated_by, created_at, updated_at';
// The list a call names, or the caller's Inbox ($1 is the caller).
const LIST = (param: string) =>
  `coalesce(${param}::uuid, (select id from lists where owner_id = $1 and is_inbox))`;
const WRITERS = "role in ('owner', 'editor')";
const PRIORITIES = ['none', 'low', 'medium', 'high'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const toTodo = (row: Row) => ({
  id: row.id,
  listId: row.list_id,
  title: row.title,
  description: row.description,
  completed: row.completed,
  dueAt: row.due_at === null ? null : row.due_at.toISOString(),
  priority: PRIORITIES[row.priority] ?? 'none',
  position: row.position,
  createdBy: row.created_by,
  updatedBy: row.updated_by,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** One call's outcome: its HTTP status and tRPC's envelope. */
type Answer = { status: number; body: unknown };

/** tRPC's JSON-RPC code for each error this server gives. */
const RPC_CODES: Record<string, number> = {
  BAD_REQUEST: -32_600,
  UNAUTHORIZED: -32_001,
  NOT_FOUND: -32_004,
  INTERNAL_SERVER_ERROR: -32_603,
};

const ok = (data: unknown): Answer => ({ status: 200, body: { result: { data } } });
const fail = (status: number, code: string, message: string, path: string): Answer => ({
  status,
  body: { error: { message, code: RPC_CODES[code], data: { code, httpStatus: status, path } } },
});

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

async function sessionUserId(req: IncomingMessage): Promise<string | null> {
  const header = req.headers.authorization;
  if (!header?.startsWith('Bearer ')) return null;
  const { rows } = await pool.query<{ user_id: string }>(
    'select user_id from sessions where token = $1 and expires_at > now()',
    [header.slice(7)],
  );
  return rows[0]?.user_id ?? null;
}

type ListInput = { listId?: string; limit?: number; cursor?: string | null };

async function list(userId: string, input: ListInput) {
  const limit = input.limit ?? 50;
  let after: [string, string] | null = null;
  if (input.cursor) after = JSON.parse(Buffer.from(input.cursor, 'base64url').toString('utf8'));
  const inList = `list_id = ${LIST('$3')} and exists (select from list_members where user_id = $1 and list_id = ${LIST('$3')})`;
  const { rows } = await pool.query<Row>(
    after
      ? `select ${COLUMNS}, created_at::text as cursor_key from todos
         where ${inList} and (created_at, id) < ($4::timestamptz, $5::uuid)
         order by created_at desc, id desc limit $2`
      : `select ${COLUMNS}, created_at::text as cursor_key from todos
         where ${inList} order by created_at desc, id desc limit $2`,
    after
      ? [userId, limit + 1, input.listId ?? null, after[0], after[1]]
      : [userId, limit + 1, input.listId ?? null],
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toTodo),
    nextCursor:
      rows.length > limit && last
        ? Buffer.from(JSON.stringify([last.cursor_key, last.id])).toString('base64url')
        : null,
  };
}

/** A call's input: a JSON object, read field by field. */
type Input = Record<string, unknown> | undefined;
const asInput = (value: unknown): Input =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;

async function call(procedure: string, method: string, userId: string, data: Input): Promise<Answer> {
  if (procedure === 'todo.list' && method === 'GET') return ok(await list(userId, (data ?? {}) as ListInput));

  if (procedure === 'todo.create' && method === 'POST') {
    const title = typeof data?.title === 'string' ? data.title.trim() : '';
    if (!title || title.length > 500) return fail(400, 'BAD_REQUEST', 'title: invalid', procedure);
    const listId = typeof data?.listId === 'string' && UUID.test(data.listId) ? data.listId : null;
    const { rows } = await pool.query<Row>(
      `insert into todos (list_id, created_by, title, description)
       select list_id, $1, $2, $3 from list_members where user_id = $1 and list_id = ${LIST('$4')} and ${WRITERS}
       returning ${COLUMNS}`,
      [userId, title, data?.description ?? null, listId],
    );
    const row = rows[0];
    return row ? ok(toTodo(row)) : fail(404, 'NOT_FOUND', 'List not found', procedure);
  }

  if (procedure === 'todo.update' && method === 'POST') {
    if (typeof data?.id !== 'string' || !UUID.test(data.id) || typeof data.completed !== 'boolean') {
      return fail(400, 'BAD_REQUEST', 'id, completed: invalid', procedure);
    }
    const { rows } = await pool.query<Row>(
      `update todos set completed = $3, updated_by = $1 where id = $2
       and list_id in (select list_id from list_members where user_id = $1 and ${WRITERS}) returning ${COLUMNS}`,
      [userId, data.id, data.completed],
    );
    const row = rows[0];
    return row ? ok(toTodo(row)) : fail(404, 'NOT_FOUND', 'Todo not found', procedure);
  }

  return fail(404, 'NOT_FOUND', 'No such procedure', procedure);
}

/** tRPC's status for a batch: its calls' one status when they share it, else 207. */
const batchStatus = (answers: Answer[]) => {
  const statuses = new Set(answers.map((answer) => answer.status));
  return statuses.size === 1 ? answers[0]!.status : 207;
};

async function handle(req: IncomingMessage, res: ServerResponse) {
  const [path = '/', query = ''] = (req.url ?? '/').split('?');
  if (path === '/readyz' || path === '/healthz') return send(res, 200, { status: 'ok' });

  const params = new URLSearchParams(query);
  const method = req.method ?? 'GET';
  const raw = method === 'GET' ? (params.get('input') ?? '') : await readBody(req);
  const input = asInput(raw === '' ? undefined : JSON.parse(raw));
  const named = path.startsWith('/api/trpc/') ? decodeURIComponent(path.slice('/api/trpc/'.length)) : '';
  const batch = params.get('batch') === '1';
  const procedures = batch ? named.split(',') : [named];
  const userId = await sessionUserId(req);
  // The calls of a batch run side by side, as tRPC runs them.
  const answers = await Promise.all(
    procedures.map((procedure, index) => {
      if (!userId) return fail(401, 'UNAUTHORIZED', 'Sign in to continue', procedure);
      return call(procedure, method, userId, batch ? asInput(input?.[index]) : input);
    }),
  );
  if (!batch) return send(res, answers[0]!.status, answers[0]!.body);
  send(
    res,
    batchStatus(answers),
    answers.map((answer) => answer.body),
  );
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => {
    if (res.headersSent) return res.destroy();
    const { status, body } = fail(500, 'INTERNAL_SERVER_ERROR', 'Internal server error', '');
    send(res, status, body);
  });
});

server.listen(Number(process.env.PORT ?? 3100), process.env.HOST ?? '127.0.0.1');

const shutdown = () => {
  server.close();
  server.closeAllConnections();
  pool.end().finally(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
