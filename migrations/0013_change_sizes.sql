-- Each event's size, as the JSON text a stream sends: kept with the event when it is written,
-- so that a replay (changes.ts, changesSince) can cut its pages by bytes from this column alone
-- and read the events themselves only for the rows it returns, instead of turning every
-- candidate's todo into text on every read.
alter table todo_changes
  add column size integer generated always as (octet_length(coalesce(todo::text, ''))) stored;
