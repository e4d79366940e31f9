-- An open event stream (todo.changes) must stop the moment its session ends: sign-out, a
-- revoked session, a password change that signs others out, an account's deletion (its
-- sessions go by cascade, which fires this trigger too). Each ended session is told on the
-- change feed's channel, where NOTIFYs arrive in commit order: a stream learns that its
-- session ended before it learns of any change committed after that, so nothing written after
-- the end reaches it (change-feed.ts). The notice names the session's id, never its token.
create function todo_session_ended() returns trigger
language plpgsql
as $$
begin
  perform pg_notify('todo_changes', json_build_object('sessionEnded', old.id)::text);
  return null;
end
$$;

create trigger todo_session_ended
after delete on sessions
for each row execute function todo_session_ended();
