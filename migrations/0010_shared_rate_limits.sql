-- Rate limits shared by every server process on this database: behind a load balancer, each
-- instance counting in its own memory would allow a full quota per instance.

-- Better Auth's per-IP limits (rateLimit.storage 'database'), as its schema generator emits the
-- table for the options in packages/api/src/auth.ts. `last_request` is milliseconds since the
-- epoch; Better Auth prunes rows whose window has ended.
create table "rate_limits" ("id" uuid default pg_catalog.gen_random_uuid() not null primary key, "key" text not null unique, "count" integer not null, "last_request" bigint not null);

-- Our failed sign-ins per account and client (packages/api/src/sign-in-limiter.ts): one row per
-- key (a hash: no email address or IP is stored), counting until `expires_at` (milliseconds
-- since the epoch, the limiter's clock). The server prunes ended windows.
create table sign_in_failures (
  key text primary key,
  count integer not null check (count > 0),
  expires_at bigint not null
);

-- Pruning's scan: rows whose window has ended.
create index sign_in_failures_expires_at_idx on sign_in_failures (expires_at);

-- The API's role (todo_app, 0004) gets no grant on either table: only the server's own
-- connection, as Better Auth's, reads and writes them.
