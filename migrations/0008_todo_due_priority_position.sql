-- Due dates, priorities and a manual order for todos (issue 13).
--
-- `position` is the todo's place in its owner's manual order: a fractional key, kept as an
-- exact numeric. A new todo takes the next value of one sequence, so it goes last without
-- reading anything; a move writes one row, to the midpoint of its new neighbours, computed in
-- the database (todos.ts, moveTodo). Why numeric keys and a sequence rather than string keys
-- made in Node: docs/decisions/0012-manual-order-numeric-keys.md.
--
-- `priority` is 0 none, 1 low, 2 medium, 3 high: a number, so that "high first" is an order.

create sequence todos_position_seq as bigint;

alter table todos
  add column due_at timestamptz,
  add column priority smallint not null default 0,
  add column position numeric,
  add constraint todos_priority check (priority between 0 and 3);

-- Today's todos keep the order people see them in: creation order, per user. Written as the
-- owner (row-level security would hide every row from a migration that is not a superuser)
-- and without the user triggers: this is no one's change, so no updated_at and no events.
alter table todos no force row level security;
alter table todos disable trigger user;
update todos set position = ordered.n
from (select id, row_number() over (order by created_at, id) as n from todos) as ordered
where todos.id = ordered.id;
alter table todos enable trigger user;
alter table todos force row level security;

select setval('todos_position_seq', (select count(*) from todos) + 1, false);
alter sequence todos_position_seq owned by todos.position;
grant usage on sequence todos_position_seq to todo_app;

alter table todos
  alter column position set default nextval('todos_position_seq'),
  alter column position set not null,
  -- No two todos of a user share a place. Checked at the end of each statement (deferrable),
  -- so that renumbering a user's todos in one statement may pass through duplicates.
  add constraint todos_user_position_key unique (user_id, position) deferrable initially immediate;

-- One index per order, each also narrowed to active or completed, so every list query reads
-- its rows in order and stops after one page (todos-index.test.ts proves each with EXPLAIN).
-- Creation order has its two since 0003; manual order uses the unique constraint's index.
create index todos_user_completed_position_idx on todos (user_id, completed, position);
-- Soonest first, todos without a due date last, then manual order.
create index todos_user_due_idx on todos (user_id, (coalesce(due_at, 'infinity')), position);
create index todos_user_completed_due_idx
  on todos (user_id, completed, (coalesce(due_at, 'infinity')), position);
-- High to none, then manual order.
create index todos_user_priority_idx on todos (user_id, (-priority), position);
create index todos_user_completed_priority_idx on todos (user_id, completed, (-priority), position);

-- Events carry the new fields: the trigger of 0007, with dueAt and priority in the Todo.
create or replace function todo_changes_record() returns trigger
language plpgsql as $$
declare
  notified bigint;
begin
  perform todo_changes_lock(user_id) from (select distinct user_id from changed order by user_id) as users;

  with counts as (
    select changed.user_id, count(*) as rows from changed
    where exists (select from users where users.id = changed.user_id)
    group by changed.user_id
  ), events as (
    insert into todo_changes (user_id, kind, todo_id, todo)
    select counts.user_id, 'reset', null, null from counts where counts.rows > 1
    union all
    select c.user_id,
      case when tg_op = 'DELETE' then 'delete' else 'upsert' end,
      c.id,
      case when tg_op <> 'DELETE' then jsonb_build_object(
        'id', c.id,
        'title', c.title,
        'description', c.description,
        'completed', c.completed,
        'dueAt', to_char(c.due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'priority', (array['none', 'low', 'medium', 'high'])[c.priority + 1],
        'createdAt', to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'updatedAt', to_char(c.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
      ) end
    from changed c join counts on counts.user_id = c.user_id and counts.rows = 1
    returning id, user_id, kind, todo_id, todo
  ), notices as (
    -- The outer query does not see the rows `events` inserts: max(id) is the event before.
    select jsonb_build_object(
      'userId', e.user_id,
      'id', e.id::text,
      'prev', coalesce((select max(p.id) from todo_changes p where p.user_id = e.user_id), 0)::text,
      'kind', e.kind,
      'todoId', e.todo_id,
      'todo', e.todo
    )::text as full_notice,
    jsonb_build_object(
      'userId', e.user_id,
      'id', e.id::text,
      'prev', coalesce((select max(p.id) from todo_changes p where p.user_id = e.user_id), 0)::text
    )::text as short_notice
    from events e
  )
  select count(pg_notify('todo_changes',
    case when octet_length(full_notice) < 7900 then full_notice else short_notice end))
  into notified from notices;
  return null;
end
$$;
