-- "Act as the caller of this session" as one statement the database owns. Every driver runs it
-- first in the transaction of an authenticated procedure (packages/db/src/caller.ts):
--   - it finds the live session with this exact token (expired ones never match);
--   - it slides the expiry forward at most once per update age, as Better Auth does;
--   - it sets the transaction-local role todo_app and app.user_id, which row-level security
--     reads (0004);
--   - it fails with SQLSTATE 28000 (invalid_authorization_specification) when there is no
--     such session. PostgreSQL then runs nothing else in that transaction: a statement already
--     on its way behind it, in the same pipeline, is refused instead of running as the login
--     role, which may be a superuser that row-level security does not stop.
create function todo_act_as_session(session_token text, expires_in_seconds integer, update_age_seconds integer)
returns uuid
language plpgsql
as $$
declare
  session_user_id uuid;
  refresh_due boolean;
begin
  select s.user_id, s.expires_at <= now() + make_interval(secs => expires_in_seconds - update_age_seconds)
    into session_user_id, refresh_due
    from public.sessions s
   where s.token = session_token and s.expires_at > now();
  if session_user_id is null then
    raise exception 'no live session has this token' using errcode = '28000';
  end if;
  if refresh_due then
    update public.sessions
       set expires_at = now() + make_interval(secs => expires_in_seconds), updated_at = now()
     where token = session_token;
  end if;
  perform set_config('app.user_id', session_user_id::text, true), set_config('role', 'todo_app', true);
  return session_user_id;
end
$$;
