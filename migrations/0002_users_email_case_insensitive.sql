-- Emails are unique regardless of case: Better Auth lowercases what it stores, and the
-- database refuses a second spelling of the same address from any other writer.
create unique index users_email_lower_key on users (lower(email));
