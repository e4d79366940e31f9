-- A second wall behind the `where user_id = …` in every query: the API runs each todo
-- procedure as the role todo_app with the caller's id in the transaction-local setting
-- app.user_id (see withUserScope in packages/db), and PostgreSQL itself then hides and
-- refuses every other user's row. Without the setting, todo_app sees no todo at all.

-- Roles belong to the whole cluster, not to one database: create it once (two databases
-- migrating at the same moment may race, hence the handler).
do $$
begin
  if not exists (select from pg_roles where rolname = 'todo_app') then
    create role todo_app nologin;
  end if;
exception when duplicate_object or unique_violation then
  null;
end
$$;

-- The connecting role switches to todo_app with `set local role`, which needs membership
-- (a superuser has it implicitly; on Neon the owner is not a superuser). Where an
-- administrator created todo_app beforehand and granted it, there is nothing to do.
do $$
begin
  grant todo_app to current_user;
exception when duplicate_object or unique_violation or insufficient_privilege or invalid_grant_operation then
  null;
end
$$;

grant usage on schema public to todo_app;
grant select, insert, update, delete on todos to todo_app;
-- `me` reads the caller's profile in the same scoped transaction.
grant select (id, email, name, created_at) on users to todo_app;

-- Unset, current_setting(…, true) is null; after a transaction that set it, it is '' for the
-- rest of the session: nullif turns both into "no user", which matches no row.
alter table todos enable row level security;
alter table todos force row level security;
create policy todos_owner on todos
  using (user_id = nullif(current_setting('app.user_id', true), '')::uuid)
  with check (user_id = nullif(current_setting('app.user_id', true), '')::uuid);

-- Users: Better Auth connects as the owner and is not subject to this (no FORCE); todo_app
-- sees only the caller's own row.
alter table users enable row level security;
create policy users_self on users for select to todo_app
  using (id = nullif(current_setting('app.user_id', true), '')::uuid);
