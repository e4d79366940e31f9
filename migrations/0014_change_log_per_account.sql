-- The change log says nothing of other accounts, to a client or to a database login.
--
-- Event ids: until now the id a stream sent was the row's id, from one sequence that every
-- account shares, so the gap between two of a person's events told how many changes everyone
-- else had made meanwhile. Each account's events are now numbered on their own (`seq`): 1, 2,
-- 3…, in the order their transactions committed. The number comes from the account's row in
-- `change_counters`, bumped by the transaction that writes the event: that row stays locked
-- until it commits, so the next writer of the account numbers after it. The row's `id` stays,
-- as the log's own key, and is never sent to a client.
--
-- NOTIFY: the payload carried the whole todo, and any role that can connect may LISTEN,
-- grants or not. It now names the account, the event's number and the row, nothing else: each
-- server reads the events its streams need from the table (change-feed.ts).
--
-- Writing the log: the trigger runs as the log's owner (security definer), so the API's role
-- needs no right to write it at all: it reads its own events, under row-level security.

create table change_counters (
  user_id uuid primary key references users (id) on delete cascade,
  last_seq bigint not null
);
-- Nobody but the owner reads or writes the counters.
alter table change_counters enable row level security;

alter table todo_changes add column seq bigint;

-- Today's events get numbers above every id a client may hold: a stream that reconnects with an
-- id from before this migration finds no such event in its account's log, and resets, instead
-- of being taken for a number of the new kind. (This once shows how many events the log held.)
update todo_changes c set seq = numbered.seq
from (
  select id, (select coalesce(max(id), 0) from todo_changes) + row_number() over (partition by user_id order by id) as seq
  from todo_changes
) as numbered
where c.id = numbered.id;
insert into change_counters (user_id, last_seq)
select user_id, max(seq) from todo_changes group by user_id;

alter table todo_changes alter column seq set not null;
alter table todo_changes add constraint todo_changes_user_seq_key unique (user_id, seq);
drop index todo_changes_user_id_idx;

revoke insert on todo_changes from todo_app;

-- After each statement on todos: each account whose todos it changed gets one event, an
-- 'upsert' or a 'delete' for one row, a 'reset' for several (mark all, clear completed), numbered
-- after the account's last; a user deleted in this statement gets none (their log goes with
-- them). Then one NOTIFY per event, delivered at commit and never for a rollback.
create or replace function todo_changes_record() returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
as $$
declare
  notified bigint;
begin
  with counts as (
    select changed.user_id, count(*) as rows from changed
    where exists (select from users where users.id = changed.user_id)
    group by changed.user_id
  ), events as (
    select counts.user_id, 'reset' as kind, null::uuid as todo_id, null::jsonb as todo
    from counts where counts.rows > 1
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
  ), numbered as (
    -- One event per account per statement: the account's next number.
    insert into change_counters as counter (user_id, last_seq)
    select user_id, 1 from events
    on conflict (user_id) do update set last_seq = counter.last_seq + 1
    returning counter.user_id, counter.last_seq
  ), written as (
    insert into todo_changes (user_id, seq, kind, todo_id, todo)
    select e.user_id, n.last_seq, e.kind, e.todo_id, e.todo
    from events e join numbered n on n.user_id = e.user_id
    returning id, user_id, seq
  )
  select count(pg_notify('todo_changes',
    json_build_object('user', w.user_id, 'seq', w.seq::text, 'row', w.id::text)::text))
  into notified from written w;
  return null;
end
$$;
