-- The order keys of 0008 in types whose comparisons row-level security lets an index use.
--
-- Under forced row-level security, PostgreSQL evaluates a query's own conditions only after
-- the policy's, unless they are leakproof. `numeric` comparisons, unary minus and coalesce()
-- are not, so for the app's role (todo_app) a keyset condition like `position > $1` was a
-- filter over every row of the user instead of where the index scan starts: the 2,000th page
-- of a manual or due list read the whole list (found by the list benchmark at 100,000 todos;
-- todos-index.test.ts now EXPLAINs as the app's role). Comparisons of plain float8, smallint
-- and timestamptz columns are leakproof. See docs/decisions/0012-manual-order-numeric-keys.md.
--
-- First the positions become small integers, per user in their order, so that none is lost
-- to float8's precision (as in 0008: as the owner, without triggers, so no events).
alter table todos no force row level security;
alter table todos disable trigger user;
update todos set position = ordered.n
from (select id, row_number() over (partition by user_id order by position) as n from todos) as ordered
where todos.id = ordered.id;
alter table todos enable trigger user;
alter table todos force row level security;

alter table todos alter column position type double precision;

-- The due and priority orders' first keys as plain columns, kept by the database, so that each
-- order's keyset is one row comparison of leakproof operators: soonest first with no due date
-- last, and high to none as an ascending rank.
drop index todos_user_due_idx;
drop index todos_user_completed_due_idx;
drop index todos_user_priority_idx;
drop index todos_user_completed_priority_idx;
alter table todos
  add column due_key timestamptz generated always as (coalesce(due_at, 'infinity')) stored,
  add column priority_rank smallint generated always as (3 - priority) stored;
create index todos_user_due_idx on todos (user_id, due_key, position);
create index todos_user_completed_due_idx on todos (user_id, completed, due_key, position);
create index todos_user_priority_idx on todos (user_id, priority_rank, position);
create index todos_user_completed_priority_idx on todos (user_id, completed, priority_rank, position);
