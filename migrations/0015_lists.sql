-- Lists, shared by membership (issue 26; docs/decisions/0021-membership-row-level-security.md).
--
-- A todo lives in a list; a list has members, each with a role (owner, editor, viewer); every
-- account has exactly one Inbox, made by the database when the account is. Who may see and write
-- a todo is now "a member of its list", no longer "its owner": row-level security reads the
-- caller's lists through two security-definer functions, evaluated once per statement.
--
-- `todos.user_id` goes: the isolation rule is `list_id`, and who made and who last changed a
-- todo are `created_by` and `updated_by`, which the database fills from the caller and which
-- outlive their author's account (set null), since a shared list outlives any one member.

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------

create table lists (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null references users (id) on delete cascade,
  name text not null,
  is_inbox boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Trimmed as JavaScript's String.prototype.trim trims (as todos' titles, 0005), 1–100 characters.
  constraint lists_name_length check (
    name = btrim(
      name,
      E' \t\n\r\x0B\x0C' || U&'\00A0\1680\2000\2001\2002\2003\2004\2005\2006\2007\2008\2009\200A\2028\2029\202F\205F\3000\FEFF'
    )
    and char_length(name) between 1 and 100
  )
);
-- Exactly one Inbox per account (at most one here; the users trigger below makes the one).
create unique index lists_one_inbox_key on lists (owner_id) where is_inbox;
-- The lists an account owns: the limit's count, and the cascade when the account goes.
create index lists_owner_idx on lists (owner_id);

create table list_members (
  list_id uuid not null references lists (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  role text not null check (role in ('owner', 'editor', 'viewer')),
  -- The member's own place for this list among their lists, like todos.position.
  position double precision not null,
  added_at timestamptz not null default now(),
  primary key (list_id, user_id),
  constraint list_members_user_position_key unique (user_id, position) deferrable initially immediate
);
-- One owner per list: its maker (lists.owner_id), added by the lists trigger below.
create unique index list_members_one_owner_key on list_members (list_id) where role = 'owner';

create table list_invites (
  id uuid primary key default gen_random_uuid(),
  list_id uuid not null references lists (id) on delete cascade,
  email text not null check (email = lower(email) and char_length(email) between 3 and 320),
  role text not null check (role in ('editor', 'viewer')),
  -- sha-256 (hex) of a 32-byte random token; the token itself is only in the mail.
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  invited_by uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz
);
create index list_invites_list_idx on list_invites (list_id, created_at);
create index list_invites_email_idx on list_invites (email) where accepted_at is null;
create index list_invites_invited_by_idx on list_invites (invited_by);

alter table todos
  add column list_id uuid references lists (id) on delete cascade,
  add column created_by uuid references users (id) on delete set null,
  add column updated_by uuid references users (id) on delete set null;

-- ---------------------------------------------------------------------------------------------
-- Backfill: an Inbox for every account, every todo into its owner's Inbox. As the owner and
-- without the user triggers (as 0008 did): nobody changed anything, so no event, no updated_at.
-- ---------------------------------------------------------------------------------------------

insert into lists (owner_id, name, is_inbox) select id, 'Inbox', true from users;
insert into list_members (list_id, user_id, role, position)
select id, owner_id, 'owner', 1 from lists;

alter table todos no force row level security;
alter table todos disable trigger user;
update todos set list_id = inbox.id, created_by = todos.user_id, updated_by = todos.user_id
from lists inbox
where inbox.owner_id = todos.user_id and inbox.is_inbox;
alter table todos enable trigger user;
alter table todos force row level security;

alter table todos alter column list_id set not null;

-- The old rule and its keys go with the column: the policy first (it depends on it), then the
-- column, which takes every (user_id, …) index and the per-owner position key along.
drop policy todos_owner on todos;
alter table todos drop column user_id;

-- The same orders as before (0003, 0008, 0009), per list: every list query reads its rows in
-- order from one of these and stops after one page (todos-index.test.ts, list-rls.test.ts).
alter table todos
  add constraint todos_list_position_key unique (list_id, position) deferrable initially immediate;
create index todos_list_created_idx on todos (list_id, created_at desc, id desc);
create index todos_list_completed_created_idx on todos (list_id, completed, created_at desc, id desc);
create index todos_list_completed_position_idx on todos (list_id, completed, position);
create index todos_list_due_idx on todos (list_id, due_key, position);
create index todos_list_completed_due_idx on todos (list_id, completed, due_key, position);
create index todos_list_priority_idx on todos (list_id, priority_rank, position);
create index todos_list_completed_priority_idx on todos (list_id, completed, priority_rank, position);
-- An account's deletion sets these to null: without an index, a scan of every todo.
create index todos_created_by_idx on todos (created_by);
create index todos_updated_by_idx on todos (updated_by);

-- ---------------------------------------------------------------------------------------------
-- Who the caller is a member of: what row-level security reads
-- ---------------------------------------------------------------------------------------------

-- Security definer: list_members has row-level security of its own, which reads these; run as
-- their owner they read the table directly, with no policy to recurse into. Stable, and used
-- in policies as `(select app_member_lists())`: one InitPlan per statement, whose array the
-- planner then uses as an index condition (decision 21). Without a caller, empty.
create function app_member_lists() returns uuid[]
language sql
stable
security definer
set search_path = pg_catalog, public
as $$
  select coalesce(array_agg(list_id), '{}') from public.list_members
  where user_id = nullif(current_setting('app.user_id', true), '')::uuid
$$;

-- The lists where the caller may write todos: owner or editor.
create function app_writable_lists() returns uuid[]
language sql
stable
security definer
set search_path = pg_catalog, public
as $$
  select coalesce(array_agg(list_id), '{}') from public.list_members
  where user_id = nullif(current_setting('app.user_id', true), '')::uuid and role in ('owner', 'editor')
$$;

-- The lock that orders the writes of one list's positions (the todo_changes_lock of 0007 orders
-- one account's): two members adding to one list must not both read the same last position.
create function todo_list_lock(list uuid) returns void
language sql
volatile
as $$ select pg_advisory_xact_lock(hashtextextended(list::text, 727274003)) $$;

-- ---------------------------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------------------------

-- Todos: members read, owners and editors write; `with check` too, so that no update moves a
-- todo into a list its caller cannot write. For every role (as 0004's), forced as then.
--
-- The test is `array_position(<the caller's lists>, list_id) is not null`, a C function over an
-- array the statement computes once (an InitPlan), and not `list_id = any (…)`: the planner
-- estimates `= any` of an array it cannot see at about 10/(number of lists) of the rows, and
-- multiplies that into the estimate of the query's own `list_id = $1`, so that a deep page of a
-- large list looked like a few rows and was read by a bitmap scan and sorted. `is not null` of an
-- expression it estimates at 0.995: the query's own conditions, in the (list_id, …) indexes,
-- decide the plan (decision 21; todos-index.test.ts and list-rls.test.ts EXPLAIN it).
create policy todos_member_select on todos for select
  using (array_position((select app_member_lists()), list_id) is not null);
create policy todos_writer_insert on todos for insert
  with check (array_position((select app_writable_lists()), list_id) is not null);
create policy todos_writer_update on todos for update
  using (array_position((select app_writable_lists()), list_id) is not null)
  with check (array_position((select app_writable_lists()), list_id) is not null);
create policy todos_writer_delete on todos for delete
  using (array_position((select app_writable_lists()), list_id) is not null);

-- Lists: members read (and the owner, whose own membership is added after the row); only the
-- owner makes, renames and deletes, and never an Inbox, which the database alone makes and which
-- goes only with its account.
alter table lists enable row level security;
create policy lists_member_select on lists for select to todo_app
  using (
    owner_id = nullif(current_setting('app.user_id', true), '')::uuid
    or id = any ((select app_member_lists())::uuid[])
  );
create policy lists_owner_insert on lists for insert to todo_app
  with check (owner_id = nullif(current_setting('app.user_id', true), '')::uuid and not is_inbox);
create policy lists_owner_update on lists for update to todo_app
  using (owner_id = nullif(current_setting('app.user_id', true), '')::uuid and not is_inbox)
  with check (owner_id = nullif(current_setting('app.user_id', true), '')::uuid and not is_inbox);
create policy lists_owner_delete on lists for delete to todo_app
  using (owner_id = nullif(current_setting('app.user_id', true), '')::uuid and not is_inbox);

-- Members: a member sees the list's members. Nobody inserts through the app's role: the owner's
-- row comes with the list (trigger below), the others through accept_list_invite. The owner
-- changes roles and removes members; a member moves their own row (their order) and leaves.
-- Which column a row may change is checked by list_members_guard below.
alter table list_members enable row level security;
create policy list_members_member_select on list_members for select to todo_app
  using (list_id = any ((select app_member_lists())::uuid[]));
create policy list_members_update on list_members for update to todo_app
  using (
    user_id = nullif(current_setting('app.user_id', true), '')::uuid
    or exists (
      select from lists l
      where l.id = list_id and l.owner_id = nullif(current_setting('app.user_id', true), '')::uuid
    )
  );
create policy list_members_delete on list_members for delete to todo_app
  using (
    role <> 'owner'
    and (
      user_id = nullif(current_setting('app.user_id', true), '')::uuid
      or exists (
        select from lists l
        where l.id = list_id and l.owner_id = nullif(current_setting('app.user_id', true), '')::uuid
      )
    )
  );

-- Invites: the list's owner alone sees, makes and revokes them, never for an Inbox; accepting
-- goes through accept_list_invite.
alter table list_invites enable row level security;
create policy list_invites_owner on list_invites to todo_app
  using (
    exists (
      select from lists l
      where l.id = list_id and l.owner_id = nullif(current_setting('app.user_id', true), '')::uuid
    )
  )
  with check (
    invited_by = nullif(current_setting('app.user_id', true), '')::uuid
    and exists (
      select from lists l
      where l.id = list_id
        and l.owner_id = nullif(current_setting('app.user_id', true), '')::uuid
        and not l.is_inbox
    )
  );

-- Users: besides their own row (0004), a caller sees the people they share a list with: the
-- names beside "made by" and in a list's members.
create policy users_list_members on users for select to todo_app
  using (
    exists (
      select from list_members m
      where m.user_id = users.id and m.list_id = any ((select app_member_lists())::uuid[])
    )
  );

grant select, delete on lists to todo_app;
grant insert (owner_id, name) on lists to todo_app;
grant update (name) on lists to todo_app;
grant select, delete on list_members to todo_app;
grant update (role, position) on list_members to todo_app;
-- Not the token's hash: nobody reads it back but accept_list_invite and list_invite_preview.
grant select (id, list_id, email, role, invited_by, created_at, expires_at, accepted_at) on list_invites to todo_app;
grant insert (list_id, email, role, token_hash, invited_by) on list_invites to todo_app;
grant delete on list_invites to todo_app;

-- ---------------------------------------------------------------------------------------------
-- Triggers
-- ---------------------------------------------------------------------------------------------

-- A new account gets its Inbox from the database itself, however the row is made (Better Auth's
-- sign-up, a test's insert, a seed).
create function users_make_inbox() returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
as $$
begin
  insert into lists (owner_id, name, is_inbox) values (new.id, 'Inbox', true);
  return null;
end
$$;
create trigger users_make_inbox after insert on users
for each row execute function users_make_inbox();

-- At most 100 lists an account owns, its Inbox included; counted under the account's lock, so
-- that two creates at once cannot both pass at 99.
create function lists_check_limit() returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
as $$
begin
  perform todo_changes_lock(new.owner_id);
  if (select count(*) from lists where owner_id = new.owner_id) >= 100 then
    raise exception 'an account owns at most 100 lists' using errcode = 'TL001';
  end if;
  return new;
end
$$;
create trigger lists_check_limit before insert on lists
for each row execute function lists_check_limit();

-- A list's maker is its owner member, last in their own order (under their lock, taken above).
create function lists_add_owner() returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
as $$
begin
  insert into list_members (list_id, user_id, role, position)
  values (
    new.id, new.owner_id, 'owner',
    coalesce((select max(position) from list_members where user_id = new.owner_id), 0) + 1
  );
  return null;
end
$$;
create trigger lists_add_owner after insert on lists
for each row execute function lists_add_owner();

create function lists_touch_updated_at() returns trigger
language plpgsql
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
create trigger lists_touch_updated_at before update on lists
for each row execute function lists_touch_updated_at();

-- What a member's row may become, for the app's role: only the list's owner changes a role, to
-- editor or viewer, and never the owner's own; only the member moves their own row.
create function list_members_guard() returns trigger
language plpgsql
as $$
declare
  caller uuid := nullif(current_setting('app.user_id', true), '')::uuid;
begin
  if caller is null then
    return new;
  end if;
  if new.role is distinct from old.role and (
    old.role = 'owner' or new.role = 'owner'
    or not exists (select from lists l where l.id = old.list_id and l.owner_id = caller)
  ) then
    raise exception 'only the list''s owner changes a member''s role' using errcode = '42501';
  end if;
  if new.position is distinct from old.position and old.user_id <> caller then
    raise exception 'a member orders only their own lists' using errcode = '42501';
  end if;
  return new;
end
$$;
create trigger list_members_guard before update on list_members
for each row execute function list_members_guard();

-- At most 20 pending invites per list, counted under the list's lock.
create function list_invites_check_limit() returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
as $$
begin
  perform todo_list_lock(new.list_id);
  if (
    select count(*) from list_invites
    where list_id = new.list_id and accepted_at is null and expires_at > now()
  ) >= 20 then
    raise exception 'a list has at most 20 pending invites' using errcode = 'TL003';
  end if;
  return new;
end
$$;
create trigger list_invites_check_limit before insert on list_invites
for each row execute function list_invites_check_limit();

-- A todo's place is in its list's order: its largest position + 1 (replacing 0011's per owner).
drop trigger todos_place_last on todos;
drop function todos_place_last();
drop function todo_next_position(uuid);
create function todo_next_position(list uuid) returns double precision
language sql
volatile
as $$ select coalesce(max(position), 0) + 1 from todos where list_id = list $$;

-- Before a todo is written: the caller is its author (created_by, updated_by: the database
-- says who, not the statement); a todo without a list goes to its author's Inbox; one without a
-- position, or moved to another list, goes last in its list, under the list's lock.
create function todos_place_last() returns trigger
language plpgsql
as $$
declare
  caller uuid := nullif(current_setting('app.user_id', true), '')::uuid;
begin
  if tg_op = 'INSERT' then
    if caller is not null then
      new.created_by := caller;
    end if;
    new.updated_by := coalesce(caller, new.updated_by, new.created_by);
    if new.list_id is null then
      new.list_id := (select id from lists where owner_id = new.created_by and is_inbox);
    end if;
    if new.position is null then
      perform todo_list_lock(new.list_id);
      new.position := todo_next_position(new.list_id);
    end if;
  else
    -- The app's role never rewrites who made a todo; the database's owner may (an account's
    -- deletion sets its authorship to null).
    if caller is not null then
      new.created_by := old.created_by;
      new.updated_by := caller;
    end if;
    if new.list_id is distinct from old.list_id and new.position is not distinct from old.position then
      perform todo_list_lock(new.list_id);
      new.position := todo_next_position(new.list_id);
    end if;
  end if;
  return new;
end
$$;
create trigger todos_place_last before insert or update on todos
for each row execute function todos_place_last();

-- ---------------------------------------------------------------------------------------------
-- Invites, through the database's own functions: the app's role cannot read a token's hash nor
-- insert a member.
-- ---------------------------------------------------------------------------------------------

-- What an invite page shows, for a live invite with this token's hash: nothing for a used,
-- expired or unknown one. Signed out too: the page greets someone who has no account yet, and
-- the token (32 random bytes, only in the invite's mail) is what entitles them to see it.
create function list_invite_preview(hash text)
returns table (list_name text, inviter_name text, role text, email text)
language sql
stable
security definer
set search_path = public, pg_temp
as $$
  select l.name, u.name, i.role, i.email
  from list_invites i join lists l on l.id = i.list_id join users u on u.id = i.invited_by
  where i.token_hash = hash and i.accepted_at is null and i.expires_at > now()
$$;

-- The live invites addressed to the caller's email, while that email is verified: someone who
-- signed up with another person's address sees none of that person's invites.
create function pending_list_invites()
returns table (id uuid, list_name text, inviter_name text, role text, expires_at timestamptz)
language sql
stable
security definer
set search_path = public, pg_temp
as $$
  select i.id, l.name, inviter.name, i.role, i.expires_at
  from users me
  join list_invites i on i.email = lower(me.email)
  join lists l on l.id = i.list_id
  join users inviter on inviter.id = i.invited_by
  where me.id = nullif(current_setting('app.user_id', true), '')::uuid
    and me.email_verified and i.accepted_at is null and i.expires_at > now()
  order by i.created_at, i.id
$$;

-- Accepts the live invite with this token's hash for the caller, once. The caller's email must
-- be the invite's and verified: the link alone, forwarded or leaked, lets nobody else in.
-- Answers the outcome: 'joined' (or 'member', already one: nothing changes but the invite is
-- used), 'not_found' (unknown, used or expired), 'unverified', 'other_email', 'full' (50
-- members), with the list's id when there is one.
create function accept_list_invite(hash text)
returns table (outcome text, list_id uuid)
language plpgsql
volatile
security definer
set search_path = public, pg_temp
as $$
declare
  caller uuid := nullif(current_setting('app.user_id', true), '')::uuid;
  invite list_invites%rowtype;
  me users%rowtype;
begin
  if caller is null then
    return query select 'not_found', null::uuid;
    return;
  end if;
  -- Order as every write of the caller's: their lock, then the list's.
  perform todo_changes_lock(caller);
  select * into invite from list_invites i
  where i.token_hash = hash and i.accepted_at is null and i.expires_at > now()
  for update;
  if not found then
    return query select 'not_found', null::uuid;
    return;
  end if;
  select * into me from users where users.id = caller;
  if lower(me.email) <> invite.email then
    return query select 'other_email', invite.list_id;
    return;
  end if;
  -- The token came in a mail to this address, so holding it proves the mailbox as a
  -- verification link does: an unverified address is verified by it.
  if not me.email_verified then
    update users set email_verified = true, updated_at = now() where id = caller;
  end if;
  perform todo_list_lock(invite.list_id);
  if exists (select from list_members m where m.list_id = invite.list_id and m.user_id = caller) then
    update list_invites set accepted_at = now() where id = invite.id;
    return query select 'member', invite.list_id;
    return;
  end if;
  if (select count(*) from list_members m where m.list_id = invite.list_id) >= 50 then
    return query select 'full', invite.list_id;
    return;
  end if;
  insert into list_members (list_id, user_id, role, position)
  values (
    invite.list_id, caller, invite.role,
    coalesce((select max(m.position) from list_members m where m.user_id = caller), 0) + 1
  );
  update list_invites set accepted_at = now() where id = invite.id;
  return query select 'joined', invite.list_id;
end
$$;

revoke all on function list_invite_preview(text), pending_list_invites(), accept_list_invite(text) from public;
grant execute on function list_invite_preview(text), pending_list_invites(), accept_list_invite(text) to todo_app;

-- Invites an account may send per window: each mails a stranger's address, so a few. Counted
-- here, in the caller's own transaction (the app's role has no access to rate_limits, whose rows
-- the server prunes after a minute), in a fixed window per account. Answers how many seconds
-- until the next is allowed, 0 when this one is. Keyed by the caller: nobody spends another's.
create table list_invite_quota (
  user_id uuid primary key references users (id) on delete cascade,
  window_started_at timestamptz not null,
  sent integer not null
);
alter table list_invite_quota enable row level security;

create function take_list_invite_quota(most integer, per interval) returns integer
language plpgsql
volatile
security definer
set search_path = public, pg_temp
as $$
declare
  caller uuid := nullif(current_setting('app.user_id', true), '')::uuid;
  quota list_invite_quota%rowtype;
begin
  if caller is null then
    raise exception 'no caller' using errcode = '42501';
  end if;
  insert into list_invite_quota as q (user_id, window_started_at, sent)
  values (caller, now(), 1)
  on conflict (user_id) do update set
    window_started_at = case when q.window_started_at <= now() - per then now() else q.window_started_at end,
    sent = case when q.window_started_at <= now() - per then 1 else least(q.sent + 1, most + 1) end
  returning * into quota;
  if quota.sent <= most then
    return 0;
  end if;
  return greatest(1, ceil(extract(epoch from quota.window_started_at + per - now())))::integer;
end
$$;
revoke all on function take_list_invite_quota(integer, interval) from public;
grant execute on function take_list_invite_quota(integer, interval) to todo_app;

-- ---------------------------------------------------------------------------------------------
-- The change log (0014's trigger) without todos.user_id: each member of a changed todo's list
-- gets the event in their own log, numbered after their last; the event's todo carries its list
-- and authors. (Migration 0016 takes the log further: list events, removal.)
-- ---------------------------------------------------------------------------------------------
create or replace function todo_changes_record() returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
as $$
declare
  notified bigint;
begin
  -- Counted per list first, then per member: a statement of many rows (an import, clear
  -- completed) in a list of many members is one row per member here, not rows × members.
  with per_list as (
    select changed.list_id, count(*) as rows from changed group by changed.list_id
  ), counts as (
    select m.user_id, sum(per_list.rows) as rows
    from per_list join list_members m on m.list_id = per_list.list_id
    where exists (select from users where users.id = m.user_id)
    group by m.user_id
  ), reached as (
    -- The one changed row of each member it is the only change of.
    select counts.user_id, c.*
    from counts join list_members m on m.user_id = counts.user_id
    join changed c on c.list_id = m.list_id
    where counts.rows = 1
  ), events as (
    select counts.user_id, 'reset' as kind, null::uuid as todo_id, null::jsonb as todo
    from counts where counts.rows > 1
    union all
    select c.user_id,
      case when tg_op = 'DELETE' then 'delete' else 'upsert' end,
      c.id,
      case when tg_op <> 'DELETE' then jsonb_build_object(
        'id', c.id,
        'listId', c.list_id,
        'title', c.title,
        'description', c.description,
        'completed', c.completed,
        'dueAt', to_char(c.due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'priority', (array['none', 'low', 'medium', 'high'])[c.priority + 1],
        'position', c.position,
        'createdBy', c.created_by,
        'updatedBy', c.updated_by,
        'createdAt', to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'updatedAt', to_char(c.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
      ) end
    from reached c
  ), numbered as (
    -- One event per account per statement: the account's next number; accounts in one order,
    -- so that two statements reaching the same members lock their counters alike.
    insert into change_counters as counter (user_id, last_seq)
    select user_id, 1 from events order by user_id
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
