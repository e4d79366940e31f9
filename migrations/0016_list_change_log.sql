-- The change log by list (issue 26; docs/decisions/0022-change-log-by-list.md): every member of a
-- list gets its events in their own log, numbered after their last (change_counters, 0014), and
-- nobody else does.
--
-- Events, by kind (the body is the JSON a stream sends under `todo` or `list`):
-- - 'upsert' (the Todo, with its listId and authors), 'delete' (its id and list): one todo
--   changed, as a member sees it: a todo moved out of a member's lists is a 'delete' for them;
-- - 'reset': a statement changed more than one todo a member sees; with the list when all of them
--   are in one list (the client refetches that list), without when in several (everything);
-- - 'list' (the List, as that member sees it: their role, its owner, members and counts): a list
--   was made, renamed, or its members or their roles changed;
-- - 'listRemoved': the list was deleted, or the member removed or left. In the same transaction
--   the member's other events of that list are deleted: no replay holds any of them after that.
--
-- Who gets an event is read after the list's lock is held (todo_list_lock, 0015): a membership
-- change and a write to the list's todos take it alike, so one of them commits first and the
-- other reads what it wrote. A removal therefore purges every event of the list that reached the
-- member, and a write after it reaches them no more.
--
-- A NOTIFY names its events' accounts and rows, 100 to a notice: one write to a list of 50
-- members is one NOTIFY of ids, not 50.

-- ---------------------------------------------------------------------------------------------
-- The log's columns
-- ---------------------------------------------------------------------------------------------

-- The event's JSON is no longer always a todo.
alter table todo_changes rename column todo to body;
-- The list an event is of: what a removal purges. No foreign key: a 'listRemoved' outlives its list.
alter table todo_changes add column list_id uuid;

-- The events written so far carry todos without their list. Each account's log starts again from
-- one 'reset', numbered after its last event: a client that reconnects with an older id finds it
-- gone and resets too, refetching the todos, which are in their Inboxes now (0015).
delete from todo_changes;
update change_counters set last_seq = last_seq + 1;
insert into todo_changes (user_id, seq, kind) select user_id, last_seq, 'reset' from change_counters;

alter table todo_changes drop constraint todo_changes_kind;
alter table todo_changes add constraint todo_changes_kind check (
  (kind = 'upsert' and list_id is not null and todo_id is not null and body is not null)
  or (kind = 'delete' and list_id is not null and todo_id is not null and body is null)
  or (kind = 'reset' and todo_id is null and body is null)
  or (kind = 'list' and list_id is not null and todo_id is null and body is not null)
  or (kind = 'listRemoved' and list_id is not null and todo_id is null and body is null)
);

-- ---------------------------------------------------------------------------------------------
-- Writing the log: the one place events are numbered and told
-- ---------------------------------------------------------------------------------------------

-- One event for one account, before it is numbered.
create type change_event as (user_id uuid, kind text, list_id uuid, todo_id uuid, body jsonb);

-- Appends `events` to their accounts' logs, in the order given, each account's numbered after its
-- last (the counter row stays locked until commit: an account's numbers follow its commit order);
-- an account deleted in this statement gets none. Then tells the listeners, at commit: one
-- NOTIFY per 100 events, each naming an event's account and row, never its content.
create function change_log_append(events change_event[]) returns void
language plpgsql
set search_path = public, pg_temp
as $$
declare
  notified bigint;
begin
  if cardinality(events) = 0 then
    return;
  end if;
  with listed as (
    select e.user_id, e.kind, e.list_id, e.todo_id, e.body, e.n
    from unnest(events) with ordinality as e(user_id, kind, list_id, todo_id, body, n)
    where exists (select from users u where u.id = e.user_id)
  ), counted as (
    select user_id, count(*) as how_many from listed group by user_id
  ), numbered as (
    -- Accounts in one order, so that two statements reaching the same members lock alike.
    insert into change_counters as counter (user_id, last_seq)
    select user_id, how_many from counted order by user_id
    on conflict (user_id) do update set last_seq = counter.last_seq + excluded.last_seq
    returning counter.user_id, counter.last_seq
  ), written as (
    insert into todo_changes (user_id, seq, kind, list_id, todo_id, body)
    select l.user_id,
      n.last_seq - count(*) over (partition by l.user_id) + row_number() over (partition by l.user_id order by l.n),
      l.kind, l.list_id, l.todo_id, l.body
    from listed l join numbered n on n.user_id = l.user_id
    returning id, user_id
  ), chunks as (
    select json_build_object('events', json_agg(json_build_array(w.user_id, w.id::text) order by w.id))::text
      as notice
    from (select written.*, (row_number() over (order by id) - 1) / 100 as chunk from written) as w
    group by w.chunk
  )
  select count(pg_notify('todo_changes', notice)) into notified from chunks;
end
$$;

-- Takes the locks of these lists, in one order (two writers never wait for each other's second).
create function change_log_lock_lists(ids uuid[]) returns void
language plpgsql
set search_path = public, pg_temp
as $$
begin
  perform todo_list_lock(l.id) from (select distinct id from unnest(ids) as u(id) order by id) as l;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Todo events
-- ---------------------------------------------------------------------------------------------

-- A todo as the API's Todo shows it (todo.get), the body of an 'upsert'.
create function change_log_todo(t todos) returns jsonb
language sql
stable
as $$
  select jsonb_build_object(
    'id', t.id,
    'listId', t.list_id,
    'title', t.title,
    'description', t.description,
    'completed', t.completed,
    'dueAt', to_char(t.due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'priority', (array['none', 'low', 'medium', 'high'])[t.priority + 1],
    'position', t.position,
    'createdBy', t.created_by,
    'updatedBy', t.updated_by,
    'createdAt', to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'updatedAt', to_char(t.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  )
$$;

-- What one statement did to one list's todos (a todo moved between two lists touches both):
-- when it touched one todo, which, and the list that todo is in now (null once deleted); when it
-- touched several, `only_todo` is null.
create type list_touch as (list_id uuid, only_todo uuid, only_todo_list uuid);

-- Each member's event for a statement that touched `touches`: one todo they see (it, or saw it,
-- in one or two of their lists) is an 'upsert' when they see it now, else a 'delete'; more is a
-- 'reset', of the list when all were in one. The caller adds the upserts' bodies. Lists deleted
-- in this statement give none (their members get 'listRemoved').
create function change_log_todo_events(touches list_touch[])
returns setof change_event
language plpgsql
stable
set search_path = public, pg_temp
as $$
begin
  return query
  with touched as (
    select t.* from unnest(touches) as t
    where exists (select from lists l where l.id = t.list_id)
  ), seen as (
    select m.user_id, count(*) as lists,
      (array_agg(t.list_id))[1] as some_list,
      count(distinct t.only_todo) as distinct_todos, count(t.only_todo) as single_lists,
      (array_agg(t.only_todo))[1] as only_todo,
      (array_agg(t.only_todo_list))[1] as only_todo_list
    from touched t join list_members m on m.list_id = t.list_id
    group by m.user_id
  ), judged as (
    select s.*,
      s.single_lists = s.lists and s.distinct_todos = 1 as one_todo,
      exists (
        select from list_members now
        where now.list_id = s.only_todo_list and now.user_id = s.user_id
      ) as sees_it
    from seen s
  )
  select j.user_id,
    case when not j.one_todo then 'reset' when j.sees_it then 'upsert' else 'delete' end::text,
    -- A todo they no longer see was in one list of theirs (in two, they would see it still).
    case when j.one_todo and j.sees_it then j.only_todo_list when j.lists = 1 then j.some_list end,
    case when j.one_todo then j.only_todo end,
    null::jsonb
  from judged j
  order by j.user_id;
end
$$;

-- After each statement on todos: its touches per list, under the lists' locks, then each
-- member's event. Security definer: the log's owner writes it, the API's role only reads it.
create or replace function todo_changes_record() returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
-- Its statements are small but for bulk changes, whose cost estimates would start JIT
-- compilation: seconds for a statement that runs in milliseconds.
set jit = off
as $$
declare
  touches list_touch[];
begin
  if tg_op = 'INSERT' then
    touches := array(
      select row(c.list_id, case when count(*) = 1 then (array_agg(c.id))[1] end, c.list_id)::list_touch
      from changed c group by c.list_id
    );
  elsif tg_op = 'DELETE' then
    touches := array(
      select row(c.list_id, case when count(*) = 1 then (array_agg(c.id))[1] end, null)::list_touch
      from changed c group by c.list_id
    );
  else
    -- Each side counted per list, with no join of the two: one todo touched a list when each
    -- side holds at most one row of it, the same todo (updated in place, moved in or moved out).
    touches := array(
      with now_in as (
        select list_id, count(*) as rows, (array_agg(id))[1] as some_todo from changed group by list_id
      ), was_in as (
        select list_id, count(*) as rows, (array_agg(id))[1] as some_todo from previous group by list_id
      )
      select row(
        list_id,
        case when coalesce(n.rows, 0) <= 1 and coalesce(w.rows, 0) <= 1
          and (n.some_todo is null or w.some_todo is null or n.some_todo = w.some_todo)
          then coalesce(n.some_todo, w.some_todo) end,
        case
          when n.rows = 1 then list_id
          -- Moved out: where to.
          when n.rows is null and w.rows = 1 then (select c.list_id from changed c where c.id = w.some_todo)
        end
      )::list_touch
      from now_in n full join was_in w using (list_id)
    );
  end if;
  if cardinality(touches) = 0 then
    return null;
  end if;
  perform change_log_lock_lists(array(select t.list_id from unnest(touches) as t));
  -- A new statement, so a new snapshot: the members as they are once the locks are held.
  -- An upsert's body from the statement's own rows; a bulk change, all resets, reads none.
  perform change_log_append(array(
    select row(
      e.user_id, e.kind, e.list_id, e.todo_id,
      case when e.kind = 'upsert' then (select change_log_todo(c) from changed c where c.id = e.todo_id) end
    )::change_event
    from change_log_todo_events(touches) e
    order by e.user_id
  ));
  return null;
end
$$;

drop trigger todo_changes_record_update on todos;
create trigger todo_changes_record_update
after update on todos referencing old table as previous new table as changed
for each statement execute function todo_changes_record();

-- ---------------------------------------------------------------------------------------------
-- List events
-- ---------------------------------------------------------------------------------------------

-- The 'list' event of each member of the lists `ids` (not an Inbox: it is there from the account's first
-- moment and never changes): the List as list.all shows it to them. Its counts are its todos',
-- the same for every member; todos' row-level security is forced, for this function's owner
-- too, so they are counted as the list's owner, a member who sees them all.
create function change_log_list_events(ids uuid[]) returns setof change_event
language plpgsql
set search_path = public, pg_temp
as $$
declare
  caller text := current_setting('app.user_id', true);
  list record;
  active_count bigint;
  completed_count bigint;
begin
  for list in
    select l.id, l.name, l.owner_id, o.name as owner_name,
      (select count(*) from list_members m where m.list_id = l.id) as member_count
    from lists l join users o on o.id = l.owner_id
    where l.id = any(ids) and not l.is_inbox
    order by l.id
  loop
    perform set_config('app.user_id', list.owner_id::text, true);
    select count(*) filter (where not t.completed), count(*) filter (where t.completed)
    into active_count, completed_count
    from todos t where t.list_id = list.id;
    perform set_config('app.user_id', coalesce(caller, ''), true);
    return query
      select m.user_id, 'list', list.id, null::uuid, jsonb_build_object(
        'id', list.id,
        'name', list.name,
        'isInbox', false,
        'role', m.role,
        'owner', jsonb_build_object('id', list.owner_id, 'name', list.owner_name),
        'memberCount', list.member_count,
        'counts', jsonb_build_object('active', active_count, 'completed', completed_count)
      )
      from list_members m where m.list_id = list.id;
  end loop;
end
$$;

-- After each statement on list_members: members added (an invite accepted, a list made) or
-- whose role changed give every member of the list its 'list' event; a member removed (removed,
-- left, their list or account deleted) loses every event of the list in their log and gets
-- 'listRemoved', and the members left get 'list' (one member fewer).
create function list_members_record() returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
set jit = off
as $$
declare
  touched uuid[];
begin
  if tg_op = 'UPDATE' then
    -- A member moving the list in their own order changes nothing another member sees.
    touched := array(
      select distinct c.list_id from changed c join previous b using (list_id, user_id)
      where c.role is distinct from b.role
    );
  else
    -- Not an Inbox's: it has its owner alone, from the account's first moment to its last.
    touched := array(
      select distinct c.list_id from changed c
      where not exists (select from lists l where l.id = c.list_id and l.is_inbox)
    );
  end if;
  if cardinality(touched) = 0 then
    return null;
  end if;
  perform change_log_lock_lists(touched);
  if tg_op = 'DELETE' then
    -- Under the list's lock: every event a write to the list gave them has committed, and no
    -- later write reaches them.
    delete from todo_changes e using changed gone
    where e.user_id = gone.user_id and e.list_id = gone.list_id and gone.list_id = any(touched);
  end if;
  perform change_log_append(array(
    select row(gone.user_id, 'listRemoved', gone.list_id, null, null)::change_event
    from changed gone
    where tg_op = 'DELETE' and gone.list_id = any(touched)
      and not exists (select from list_members m where m.list_id = gone.list_id and m.user_id = gone.user_id)
    union all
    select e from change_log_list_events(touched) as e
  ));
  return null;
end
$$;

create trigger list_members_record_insert
after insert on list_members referencing new table as changed
for each statement execute function list_members_record();
create trigger list_members_record_update
after update on list_members referencing old table as previous new table as changed
for each statement execute function list_members_record();
create trigger list_members_record_delete
after delete on list_members referencing old table as changed
for each statement execute function list_members_record();

-- After a rename: every member's 'list' event.
create function lists_record_rename() returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
set jit = off
as $$
declare
  renamed uuid[] := array(
    select c.id from changed c join previous b using (id) where c.name is distinct from b.name
  );
begin
  if cardinality(renamed) > 0 then
    perform change_log_lock_lists(renamed);
    perform change_log_append(array(select e from change_log_list_events(renamed) as e));
  end if;
  return null;
end
$$;

create trigger lists_record_rename
after update on lists referencing old table as previous new table as changed
for each statement execute function lists_record_rename();

-- The log's helpers write or read as whoever calls them: only the triggers above, as the log's
-- owner. Nobody else may call them.
revoke all on function change_log_append(change_event[]), change_log_lock_lists(uuid[]),
  change_log_todo_events(list_touch[]), change_log_list_events(uuid[]) from public;
