-- A todo's position leaves the server (the API's Todo and every upsert event carry it, so that
-- a client can place a change in the manual, due and priority orders without a list query),
-- and so it must say nothing about anyone else. Until now a new todo took the next value of one
-- sequence that every account shares (0008): the gap between two of a person's todos told how
-- many todos everyone else had made meanwhile. Now a new todo goes last in its owner's own
-- order, at their largest position + 1 (1 for their first). Moves stay as they are (todos.ts).
--
-- First every todo that took a sequence value gets a small one instead: each owner's todos are
-- numbered 1, 2, 3… in their order, as 0009 did (as the owner, without triggers: this is no
-- one's change, so no updated_at and no events; no client has ever seen a position).
alter table todos no force row level security;
alter table todos disable trigger user;
update todos set position = ordered.n
from (select id, row_number() over (partition by user_id order by position) as n from todos) as ordered
where todos.id = ordered.id;
alter table todos enable trigger user;
alter table todos force row level security;

alter table todos alter column position drop default;
drop sequence todos_position_seq;

-- Whose order a todo is placed in: its owner's. The one place that says so, for a new todo
-- (the trigger below) and a move to the end (todos.ts, moveTodo). Volatile, so that a row
-- trigger calling it sees the rows its statement inserted before this one.
create function todo_next_position(owner uuid) returns double precision
language sql
volatile
as $$ select coalesce(max(position), 0) + 1 from todos where user_id = owner $$;

-- A todo inserted without a position goes last. Two creates of one user must not read the same
-- largest position: the API's statements hold the owner's lock already (todo_changes_lock_caller,
-- 0007, taken before the statement touches a row); a statement without a caller (the owner's
-- own scripts, a seed, the benchmark's baseline) takes it here.
create function todos_place_last() returns trigger
language plpgsql
as $$
begin
  if new.position is null then
    if nullif(current_setting('app.user_id', true), '') is null then
      perform todo_changes_lock(new.user_id);
    end if;
    new.position := todo_next_position(new.user_id);
  end if;
  return new;
end
$$;

create trigger todos_place_last
before insert on todos
for each row execute function todos_place_last();

-- Events carry the position: the trigger of 0008, with `position` in the Todo, so that an
-- upsert's todo is what todo.get reads (a float8 goes into jsonb by its shortest exact text).
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
        'position', c.position,
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
