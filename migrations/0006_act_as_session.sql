-- The caller's session check (packages/db/src/caller.ts) is one plain SQL statement: it finds
-- the live session with this exact token, slides its expiry, and sets the transaction-local
-- role todo_app and app.user_id that row-level security reads (0004). When no live session has
-- the token it must fail, not merely return no row: PostgreSQL then refuses everything after
-- it in the transaction, including a statement already on its way in the same pipeline, which
-- would otherwise run as the login role (maybe a superuser, whom row-level security does not
-- stop). SQL has no RAISE, so the statement calls this, only on that path.
create function todo_no_session() returns text
language plpgsql
volatile
as $$
begin
  raise exception 'no live session has this token' using errcode = '28000';
end
$$;
