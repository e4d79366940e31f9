-- The change log behind live sync (todo.changes): every committed change to a user's todos is
-- a row here, written by triggers in the same transaction as the change, so a change that
-- rolls back leaves no event and one that commits always has one. Why triggers:
-- docs/decisions/0011-change-log-by-triggers.md.
--
-- Ids come from one sequence, but a subscriber reads one user's events by `id > last seen`,
-- so a user's ids must also be in commit order: each writing transaction holds a lock on its
-- user (pg_advisory_xact_lock, until commit) before it takes an id. Two writes of one user
-- then commit one after the other, each with a higher id than the last.
create table todo_changes (
  id bigint generated always as identity primary key,
  user_id uuid not null references users (id) on delete cascade,
  kind text not null,
  -- 'upsert': the todo as the API shows it (the contract's Todo); 'delete': its id.
  todo_id uuid,
  todo jsonb,
  -- clock_timestamp, not now(): taken under the user's lock, so it grows with the id.
  created_at timestamptz not null default clock_timestamp(),
  constraint todo_changes_kind check (
    (kind = 'upsert' and todo_id is not null and todo is not null)
    or (kind = 'delete' and todo_id is not null and todo is null)
    or (kind = 'reset' and todo_id is null and todo is null)
  )
);

-- A subscriber's read: one user's events after an id.
create index todo_changes_user_id_idx on todo_changes (user_id, id);

-- The API's role reads and writes only the caller's events, like todos (0004). It may not
-- change or delete one: the log is append-only for it. The server prunes as the owner.
alter table todo_changes enable row level security;
create policy todo_changes_owner on todo_changes to todo_app
  using (user_id = nullif(current_setting('app.user_id', true), '')::uuid)
  with check (user_id = nullif(current_setting('app.user_id', true), '')::uuid);
-- Insert only the columns the triggers write: with `id` too, `overriding system value` would
-- let a caller take the id of another user's next event, whose write would then fail; with
-- `created_at`, back-date events past retention.
grant select on todo_changes to todo_app;
grant insert (user_id, kind, todo_id, todo) on todo_changes to todo_app;

-- The lock that orders one user's events; the same key everywhere.
create function todo_changes_lock(owner uuid) returns void
language sql
volatile
as $$ select pg_advisory_xact_lock(hashtextextended(owner::text, 727274002)) $$;

-- Before a statement of the API's (app.user_id set) touches any row, it takes its user's
-- lock, so that two transactions of one user never hold a row each and wait for each other.
create function todo_changes_lock_caller() returns trigger
language plpgsql
as $$
declare
  owner uuid := nullif(current_setting('app.user_id', true), '')::uuid;
begin
  if owner is not null then
    perform todo_changes_lock(owner);
  end if;
  return null;
end
$$;

-- After each statement: its changed rows, per user. One row changed is an 'upsert' or a
-- 'delete' event; more than one (mark all, clear completed, an account's deletion) is one
-- 'reset', which tells subscribers to refetch. A user deleted in this statement (the todos go
-- by cascade) gets no event: their log goes with them.
--
-- Then one NOTIFY per event, which PostgreSQL delivers at commit, and never for a transaction
-- that rolled back. It carries the user, the event's id, the id of the user's event before it
-- (`prev`, read under the user's lock), and the event itself when it fits NOTIFY's 8,000 bytes:
-- a stream whose last event is `prev` sends it on without reading the log (change-feed.ts).
create function todo_changes_record() returns trigger
language plpgsql
as $$
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

create trigger todo_changes_lock_caller
before insert or update or delete on todos
for each statement execute function todo_changes_lock_caller();

create trigger todo_changes_record_insert
after insert on todos referencing new table as changed
for each statement execute function todo_changes_record();

create trigger todo_changes_record_update
after update on todos referencing new table as changed
for each statement execute function todo_changes_record();

create trigger todo_changes_record_delete
after delete on todos referencing old table as changed
for each statement execute function todo_changes_record();
