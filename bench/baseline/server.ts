// The yardstick: the same three endpoints as the tRPC API, written the plainest way there is.
// node:http, one pg Pool of the app's size, two statements per request (the session by its
// token, then the operation) through unnamed statements, rows through JSON.stringify, and
// answers in tRPC's shape, with every field of the contract's todo (dueAt, priority, position),
// so that both servers send comparable bytes. No framework, no
// validation library, no logging: what the stack is measured against, not a way to build it.
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
  title: string;
  description: string | null;
  completed: boolean;
  due_at: Date | null;
  priority: number;
  position: number;
  created_at: Date;
  updated_at: Date;
  cursor_key?: string;
};

const COLUMNS = 'id, title, description, completed, due_at, priority, position, created_at, updated_at';
const PRIORITIES = ['none', 'low', 'medium', 'high'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const toTodo = (row: Row) => ({
  id: row.id,
  title: row.title,
  description: row.description,
  completed: row.completed,
  dueAt: row.due_at === null ? null : row.due_at.toISOString(),
  priority: PRIORITIES[row.priority] ?? 'none',
  position: row.position,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const ok = (res: ServerResponse, data: unknown) => send(res, 200, { result: { data } });
const fail = (res: ServerResponse, status: number, code: string, message: string) =>
  send(res, status, { error: { message, code: -32_600, data: { code, httpStatus: status } } });

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

async function list(userId: string, input: { limit?: number; cursor?: string | null }) {
  const limit = input.limit ?? 50;
  let after: [string, string] | null = null;
  if (input.cursor) after = JSON.parse(Buffer.from(input.cursor, 'base64url').toString('utf8'));
  const { rows } = await pool.query<Row>(
    after
      ? `select ${COLUMNS}, created_at::text as cursor_key from todos
         where user_id = $1 and (created_at, id) < ($3::timestamptz, $4::uuid)
         order by created_at desc, id desc limit $2`
      : `select ${COLUMNS}, created_at::text as cursor_key from todos
         where user_id = $1 order by created_at desc, id desc limit $2`,
    after ? [userId, limit + 1, after[0], after[1]] : [userId, limit + 1],
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

async function handle(req: IncomingMessage, res: ServerResponse) {
  const [path = '/', query = ''] = (req.url ?? '/').split('?');
  if (path === '/readyz' || path === '/healthz') return send(res, 200, { status: 'ok' });

  const procedure = path.startsWith('/api/trpc/') ? path.slice('/api/trpc/'.length) : '';
  const input =
    req.method === 'GET' ? (new URLSearchParams(query).get('input') ?? '{}') : await readBody(req);
  const userId = await sessionUserId(req);
  if (!userId) return fail(res, 401, 'UNAUTHORIZED', 'Sign in to continue');
  const data = JSON.parse(input || '{}');

  if (procedure === 'todo.list' && req.method === 'GET') return ok(res, await list(userId, data));

  if (procedure === 'todo.create' && req.method === 'POST') {
    const title = typeof data.title === 'string' ? data.title.trim() : '';
    if (!title || title.length > 500) return fail(res, 400, 'BAD_REQUEST', 'title: invalid');
    const { rows } = await pool.query<Row>(
      `insert into todos (user_id, title, description) values ($1, $2, $3) returning ${COLUMNS}`,
      [userId, title, data.description ?? null],
    );
    return ok(res, toTodo(rows[0]!));
  }

  if (procedure === 'todo.update' && req.method === 'POST') {
    if (typeof data.id !== 'string' || !UUID.test(data.id) || typeof data.completed !== 'boolean') {
      return fail(res, 400, 'BAD_REQUEST', 'id, completed: invalid');
    }
    const { rows } = await pool.query<Row>(
      `update todos set completed = $3 where user_id = $1 and id = $2 returning ${COLUMNS}`,
      [userId, data.id, data.completed],
    );
    const row = rows[0];
    return row ? ok(res, toTodo(row)) : fail(res, 404, 'NOT_FOUND', 'Todo not found');
  }

  return fail(res, 404, 'NOT_FOUND', 'No such procedure');
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => {
    if (!res.headersSent) fail(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
    else res.destroy();
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
