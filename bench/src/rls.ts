// What row-level security costs, measured inside PostgreSQL, where HTTP and the network add no
// noise. The API's list statement runs many times, for random seeded users, in a loop in a
// PL/pgSQL function, two ways. As the application role, the policy on `todos` applies. As the
// connecting superuser, it does not (superusers bypass row-level security). Everything else is
// the same statement and the same plan cache. The loops take turns, and each side reports its median.
import { APP_ROLE } from '@todo/db';
import pg from 'pg';

export type RlsCost = { withRlsMicros: number; withoutRlsMicros: number; iterations: number; turns: number };

// The statement todo.list runs (packages/db todos.ts), its owner read from the setting that
// the session check sets.
const LOOP = `
create function pg_temp.bench_list(users uuid[], iterations int, as_app boolean) returns float8
language plpgsql as $$
declare
  started timestamptz;
  row record;
begin
  if as_app then perform set_config('role', '${APP_ROLE}', true); end if;
  started := clock_timestamp();
  for i in 1..iterations loop
    perform set_config('app.user_id', users[1 + i % array_length(users, 1)]::text, true);
    for row in
      select id, title, description, completed,
             (created_at at time zone 'UTC')::text, (updated_at at time zone 'UTC')::text
      from todos where user_id = current_setting('app.user_id')::uuid
      order by created_at desc, id desc limit 51
    loop end loop;
  end loop;
  return extract(epoch from clock_timestamp() - started) * 1e6 / iterations;
end $$`;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Microseconds per list statement with and without row-level security, on `url`'s database. */
export async function measureRlsCost(
  url: string,
  userIds: string[],
  { iterations = 2_000, turns = 9 } = {},
): Promise<RlsCost> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ super: boolean }>(
      'select rolsuper as super from pg_roles where rolname = current_user',
    );
    if (!rows[0]?.super) throw new Error('measuring RLS needs a superuser connection (it bypasses RLS)');
    await client.query(LOOP);
    const run = async (asApp: boolean) => {
      const result = await client.query<{ micros: number }>(
        'select pg_temp.bench_list($1::uuid[], $2, $3) as micros',
        [userIds, iterations, asApp],
      );
      return Number(result.rows[0]!.micros);
    };
    await run(true);
    await run(false);
    const withRls: number[] = [];
    const withoutRls: number[] = [];
    for (let turn = 0; turn < turns; turn++) {
      withRls.push(await run(true));
      withoutRls.push(await run(false));
    }
    return { withRlsMicros: median(withRls), withoutRlsMicros: median(withoutRls), iterations, turns };
  } finally {
    await client.end();
  }
}
