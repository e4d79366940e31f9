// What row-level security by membership costs, measured inside PostgreSQL, where HTTP and the
// network add no noise. The API's list statement runs many times in a loop in a PL/pgSQL
// function:
// - for random seeded users, each in their shared list, two ways: as the application role, the
//   policies on `todos` apply (membership, through app_member_lists()); as the connecting
//   superuser, they do not (superusers bypass row-level security). Same statement, same plans.
//   The loops take turns, and each side reports its median;
// - as the application role, the first page and the page after row (deep - 1,000) of the deep
//   list (100,000 todos, 50 members), against the first page of a one-member list.
// Plans are made for each run's values (force_custom_plan), as the app's unnamed statements are.
import { APP_ROLE } from '@todo/db';
import pg from 'pg';

export type RlsCost = {
  withRlsMicros: number;
  withoutRlsMicros: number;
  iterations: number;
  turns: number;
  /** Microseconds per page as the app's role: the deep list's first and deep page, a one-member list's first. */
  deepList: { firstMicros: number; deepMicros: number; oneMemberMicros: number; depth: number } | null;
};

// The statement todo.list runs (packages/db todos.ts): the list by its id, the caller's
// membership checked in the statement, newest first; `after` (created_at, id) starts a later page.
const LOOP = `
create function pg_temp.bench_list(users uuid[], lists uuid[], iterations int, as_app boolean,
  after_at timestamptz default null, after_id uuid default null) returns float8
language plpgsql as $$
declare
  started timestamptz;
  row record;
  list uuid;
begin
  perform set_config('plan_cache_mode', 'force_custom_plan', true);
  if as_app then perform set_config('role', '${APP_ROLE}', true); end if;
  started := clock_timestamp();
  for i in 1..iterations loop
    perform set_config('app.user_id', users[1 + i % array_length(users, 1)]::text, true);
    list := lists[1 + i % array_length(lists, 1)];
    for row in
      select id, list_id, title, description, completed, position, created_by, updated_by,
             (created_at at time zone 'UTC')::text, (updated_at at time zone 'UTC')::text
      from todos
      where list_id = list
        and exists (select from list_members m where m.user_id = current_setting('app.user_id')::uuid and m.list_id = list)
        and (after_at is null or (created_at, id) < (after_at, after_id))
      order by created_at desc, id desc limit 51
    loop end loop;
  end loop;
  return extract(epoch from clock_timestamp() - started) * 1e6 / iterations;
end $$`;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

type Member = { id: string; listId: string };
/** One timed loop: microseconds per list statement, for `who` as the app's role or not, from `after` on. */
type Loop = (who: Member[], asApp: boolean, after?: [string, string] | null) => Promise<number>;

/** Defines the loop function (LOOP) on `client`'s session and returns a way to time it. */
async function defineLoop(client: pg.Client, iterations: number): Promise<Loop> {
  const { rows } = await client.query<{ super: boolean }>(
    'select rolsuper as super from pg_roles where rolname = current_user',
  );
  if (!rows[0]?.super) throw new Error('measuring RLS needs a superuser connection (it bypasses RLS)');
  await client.query(LOOP);
  return async (who, asApp, after = null) => {
    const result = await client.query<{ micros: number }>(
      'select pg_temp.bench_list($1::uuid[], $2::uuid[], $3, $4, $5, $6) as micros',
      [who.map((user) => user.id), who.map((user) => user.listId), iterations, asApp, after?.[0], after?.[1]],
    );
    return Number(result.rows[0]!.micros);
  };
}

/** The median of `turns` timings each with and without row-level security, taking turns after a warm-up. */
async function withAndWithoutRls(run: Loop, users: Member[], turns: number) {
  await run(users, true);
  await run(users, false);
  const withRls: number[] = [];
  const withoutRls: number[] = [];
  for (let turn = 0; turn < turns; turn++) {
    withRls.push(await run(users, true));
    withoutRls.push(await run(users, false));
  }
  return { withRlsMicros: median(withRls), withoutRlsMicros: median(withoutRls) };
}

/** The deep list's first page and its page after row `depth`, against a one-member list's first page. */
async function deepListPages(
  client: pg.Client,
  run: Loop,
  { deep, oneMember, depth, turns }: { deep: Member; oneMember: Member; depth: number; turns: number },
): Promise<NonNullable<RlsCost['deepList']>> {
  // The key of the row the deep page starts after, newest first.
  const { rows: keys } = await client.query<{ created_at: string; id: string }>(
    `select created_at::text, id from todos where list_id = $1
     order by created_at desc, id desc offset $2 - 1 limit 1`,
    [deep.listId, depth],
  );
  const key = keys[0];
  if (!key) throw new Error(`the deep list has fewer than ${depth} todos`);
  const first: number[] = [];
  const later: number[] = [];
  const alone: number[] = [];
  for (let turn = 0; turn < turns; turn++) {
    first.push(await run([deep], true));
    later.push(await run([deep], true, [key.created_at, key.id]));
    alone.push(await run([oneMember], true));
  }
  return { firstMicros: median(first), deepMicros: median(later), oneMemberMicros: median(alone), depth };
}

/**
 * Microseconds per list statement with and without row-level security for `users` (each in
 * their list), and, given `deep` and `oneMember`, the deep list's pages against a one-member
 * list's, on `url`'s database.
 */
export async function measureRlsCost(
  url: string,
  users: Member[],
  {
    iterations = 2_000,
    turns = 9,
    deep,
    oneMember,
    depth = 99_000,
  }: { iterations?: number; turns?: number; deep?: Member; oneMember?: Member; depth?: number } = {},
): Promise<RlsCost> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const run = await defineLoop(client, iterations);
    const { withRlsMicros, withoutRlsMicros } = await withAndWithoutRls(run, users, turns);
    const deepList =
      deep && oneMember ? await deepListPages(client, run, { deep, oneMember, depth, turns }) : null;
    return { withRlsMicros, withoutRlsMicros, iterations, turns, deepList };
  } finally {
    await client.end();
  }
}
