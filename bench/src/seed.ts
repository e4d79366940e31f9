// A throwaway database on the PostgreSQL server (the local one is started first when it is
// down), migrated with the app's own migrator and filled in a handful of set-based statements
// (a few seconds for 150,000 rows).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createDatabase, migrate } from '@todo/db';
import pg from 'pg';
import { onCleanup, sleep } from './processes.ts';

export type SeededTodo = { id: string; completed: boolean };
/** A user of the mix: their session, the shared list they work in, and their own todos there. */
export type SeededUser = { id: string; token: string; listId: string; todos: SeededTodo[] };

export type BenchDatabase = {
  /** The fresh database's URL, for the servers under test. */
  url: string;
  /**
   * The workload's users, each with a live session and `todosPerUser` todos (newest first) in a
   * list shared by `listMembers` of them (the first owns it, the rest edit it).
   */
  users: SeededUser[];
  /**
   * Two more users, outside the workload, for the list-latency scenario: `todosPerUser` todos in
   * a list of one member (the Inbox), and `deepTodos` in a list with 50 members (49 of the mix's
   * users view it).
   */
  shallowUser: Omit<SeededUser, 'todos'>;
  deepUser: Omit<SeededUser, 'todos'>;
  drop(): Promise<void>;
};

export type SeedOptions = {
  adminUrl: string;
  users: number;
  todosPerUser: number;
  deepTodos: number;
  /** How many of the mix's users share each list. */
  listMembers: number;
};

/** The members of the deep list: its owner and 49 of the mix's users. */
const DEEP_LIST_MEMBERS = 50;

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The local PostgreSQL, started (and later stopped) the way .ci/run does when it is down. */
export async function ensurePostgres(adminUrl: string) {
  const reachable = async () => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  };
  if (await reachable()) return;
  const host = new URL(adminUrl).hostname;
  if (!['127.0.0.1', 'localhost'].includes(host)) throw new Error(`PostgreSQL at ${host} is not reachable`);
  let version: string;
  try {
    version = execFileSync('ls', ['/etc/postgresql'], { encoding: 'utf8' }).trim().split('\n')[0]!;
    console.log(`starting the local PostgreSQL ${version} cluster`);
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], {
      stdio: 'inherit',
    });
  } catch {
    throw new Error(`PostgreSQL is not reachable at ${adminUrl}; start it or set BENCH_DATABASE_URL`);
  }
  onCleanup(async () => {
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'stop'], {
      stdio: 'inherit',
    });
  });
  for (let i = 0; i < 30 && !(await reachable()); i++) await sleep(1_000);
}

/** Creates, migrates and seeds `todo_bench_<random>` next to the admin URL's database. */
export async function createBenchDatabase(options: SeedOptions): Promise<BenchDatabase> {
  const name = `todo_bench_${randomBytes(5).toString('hex')}`;
  await withClient(options.adminUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  const drop = () =>
    withClient(options.adminUrl, async (client) => {
      await client.query(`drop database if exists ${name} with (force)`);
    });

  try {
    const database = createDatabase({
      driver: 'pg',
      url: url.toString(),
      poolMax: 2,
      connectTimeoutMs: 10_000,
      idleTimeoutMs: 1_000,
      statementTimeoutMs: 0,
    });
    try {
      await migrate(database.scripts);
    } finally {
      await database.close();
    }
    const seeded = await withClient(url.toString(), (client) => seed(client, options));
    return { url: url.toString(), ...seeded, drop };
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
}

// Tokens look like Better Auth's (32 alphanumerics) and sessions live for a week, as its do.
const SESSION_SQL = `
  insert into sessions (token, expires_at, updated_at, user_id)
  select replace(gen_random_uuid()::text, '-', ''), now() + interval '7 days', now(), id
  from users where email like $1`;

// Every account's Inbox (the trigger that makes it does not fire in replica mode); the mix's
// users in groups of `listMembers`, each group sharing one list that its first user owns; the
// deep user's list, viewed by 49 of the mix's users. Members' own orders: Inbox 1, the rest 2.
const LISTS_SQL = [
  `insert into lists (owner_id, name, is_inbox) select id, 'Inbox', true from users`,
  `insert into lists (owner_id, name)
   select id, 'Shared ' || n from (
     select id, row_number() over (order by email) - 1 as n from users where email like 'bench-%'
   ) numbered where n % $1::int = 0`,
  `insert into lists (owner_id, name) select id, 'Deep' from users where email = 'deep@example.com'`,
  `insert into list_members (list_id, user_id, role, position) select id, owner_id, 'owner', 1 from lists where is_inbox`,
  `insert into list_members (list_id, user_id, role, position)
   select l.id, u.id, case when u.id = l.owner_id then 'owner' else 'editor' end, 2
   from (select id, (row_number() over (order by email) - 1) / $1::int as grp from users where email like 'bench-%') u
   join (select l.id, l.owner_id, (row_number() over (order by o.email) - 1) as grp
         from lists l join users o on o.id = l.owner_id where l.name like 'Shared %') l on l.grp = u.grp`,
  `insert into list_members (list_id, user_id, role, position)
   select l.id, l.owner_id, 'owner', 2 from lists l where l.name = 'Deep'
   union all
   select l.id, u.id, 'viewer', 3 from lists l,
     (select id from users where email like 'bench-%' order by email limit ${DEEP_LIST_MEMBERS - 1}) u
   where l.name = 'Deep'`,
];

// Distinct creation times, one second apart, newest first by n; every third one completed.
// Two in three have a due date, spread over 400 days around today (many todos share a day,
// so the due order's ties fall to the manual order), half of those all day (local midnight
// as UTC's), half at 17:00; priorities cycle through none, low, medium and high. Positions
// 1, 2, 3… oldest first within each list, so that the manual order is the creation order
// (given here: the trigger that would place each todo last does not fire in replica mode).
// Each user's todos go into `$3`: their shared list ('shared'), their Inbox, or the Deep list.
const TODOS_SQL = `
  insert into todos (list_id, created_by, updated_by, title, completed, created_at, updated_at, due_at, priority, position)
  select m.list_id, u.id, u.id, 'Seeded todo ' || n, n % 3 = 0, now() - n * interval '1 second', now() - n * interval '1 second',
    case when n % 3 <> 1
      then date_trunc('day', now()) + (n * 37 % 400 - 100) * interval '1 day' + (n % 2) * interval '17 hours'
    end,
    n % 4,
    row_number() over (partition by m.list_id order by n desc, u.id)
  from users u cross join generate_series(1, $2::int) as n
  join list_members m on m.user_id = u.id
  join lists l on l.id = m.list_id
    and case $3::text when 'shared' then l.name like 'Shared %' when 'inbox' then l.is_inbox else l.name = 'Deep' end
  where u.email like $1
  order by u.id, n desc`;

async function seed(client: pg.Client, options: SeedOptions) {
  // Seeded rows are no change anyone watches: without the change log's triggers (this is the
  // admin connection, so \`replica\` skips them). They would also make each insert quadratic in
  // the rows it gives one user: the trigger counts every changed row's user's other rows.
  await client.query(`set session_replication_role = replica`);
  await client.query(
    `insert into users (name, email, email_verified)
     select 'Bench user ' || i, 'bench-' || lpad(i::text, 7, '0') || '@example.com', true from generate_series(1, $1::int) as i`,
    [options.users],
  );
  await client.query(
    `insert into users (name, email, email_verified)
     values ('Short list', 'shallow@example.com', true), ('Deep list', 'deep@example.com', true)`,
  );
  await client.query(SESSION_SQL, ['%@example.com']);
  for (const statement of LISTS_SQL) {
    await client.query(statement, statement.includes('$1') ? [Math.max(1, options.listMembers)] : []);
  }
  await client.query(TODOS_SQL, ['bench-%', options.todosPerUser, 'shared']);
  await client.query(TODOS_SQL, ['shallow@example.com', options.todosPerUser, 'inbox']);
  await client.query(TODOS_SQL, ['deep@example.com', options.deepTodos, 'deep']);
  await client.query(`set session_replication_role = default`);
  // Fresh statistics and visibility map, as a long-running database would have.
  await client.query('vacuum analyze');

  const { rows } = await client.query<{
    id: string;
    email: string;
    token: string;
    list_id: string;
    todo_ids: string[] | null;
    completed: boolean[] | null;
  }>(
    `select u.id, u.email, s.token, l.id as list_id,
            (select array_agg(t.id order by t.created_at desc, t.id desc) from todos t where t.list_id = l.id and t.created_by = u.id) as todo_ids,
            (select array_agg(t.completed order by t.created_at desc, t.id desc) from todos t where t.list_id = l.id and t.created_by = u.id) as completed
     from users u join sessions s on s.user_id = u.id
     join list_members m on m.user_id = u.id
     join lists l on l.id = m.list_id and case
       when u.email = 'shallow@example.com' then l.is_inbox
       when u.email = 'deep@example.com' then l.name = 'Deep'
       else l.name like 'Shared %' end
     order by u.email`,
  );
  const users: SeededUser[] = [];
  let shallowUser: BenchDatabase['shallowUser'] | undefined;
  let deepUser: BenchDatabase['deepUser'] | undefined;
  for (const row of rows) {
    if (row.email === 'shallow@example.com')
      shallowUser = { id: row.id, token: row.token, listId: row.list_id };
    if (row.email === 'deep@example.com') deepUser = { id: row.id, token: row.token, listId: row.list_id };
    if (!row.email.startsWith('bench-')) continue;
    const ids = row.todo_ids ?? [];
    users.push({
      id: row.id,
      token: row.token,
      listId: row.list_id,
      todos: ids.map((id, index) => ({ id, completed: row.completed?.[index] ?? false })),
    });
  }
  if (!shallowUser || !deepUser || users.length !== options.users) {
    throw new Error('seeding produced an unexpected user set');
  }
  return { users, shallowUser, deepUser };
}
