create table todos (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  title text not null,
  description text,
  completed boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint todos_title_length check (char_length(btrim(title)) between 1 and 500),
  constraint todos_description_length check (char_length(description) <= 10000)
);

-- Every list query is one user's rows in creation order, both directions, optionally
-- narrowed to active or completed: these serve them all without a sort.
create index todos_user_created_idx on todos (user_id, created_at desc, id desc);
create index todos_user_completed_created_idx on todos (user_id, completed, created_at desc, id desc);

create function todos_touch_updated_at() returns trigger
language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

create trigger todos_touch_updated_at
before update on todos
for each row execute function todos_touch_updated_at();
