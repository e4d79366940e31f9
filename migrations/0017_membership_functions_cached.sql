-- What row-level security by membership costs per statement, cut (decision 21, "What it costs").
--
-- 1. The two membership functions become PL/pgSQL. As SQL functions that PostgreSQL cannot inline
--    (security definer), their body was parsed and planned again in every statement that called
--    them; PL/pgSQL keeps the plan of its query for the connection's life. Same query, same result.
-- 2. A member reads their own rows of list_members without the array: the app checks "is the
--    caller a member of this list" on their own row in almost every statement, and through the
--    policy that lookup called app_member_lists() a second time. `or` stops at the first arm
--    that holds, and an InitPlan runs only when its value is first needed, so for the caller's
--    own rows the function is not called at all. Who sees which row is unchanged: the caller's
--    own rows are rows of lists they are a member of.

create or replace function app_member_lists() returns uuid[]
language plpgsql
stable
security definer
set search_path = pg_catalog, public
as $$
begin
  return (
    select coalesce(array_agg(list_id), '{}') from public.list_members
    where user_id = nullif(current_setting('app.user_id', true), '')::uuid
  );
end
$$;

create or replace function app_writable_lists() returns uuid[]
language plpgsql
stable
security definer
set search_path = pg_catalog, public
as $$
begin
  return (
    select coalesce(array_agg(list_id), '{}') from public.list_members
    where user_id = nullif(current_setting('app.user_id', true), '')::uuid and role in ('owner', 'editor')
  );
end
$$;

drop policy list_members_member_select on list_members;
create policy list_members_member_select on list_members for select to todo_app
  using (
    user_id = nullif(current_setting('app.user_id', true), '')::uuid
    or list_id = any ((select app_member_lists())::uuid[])
  );
