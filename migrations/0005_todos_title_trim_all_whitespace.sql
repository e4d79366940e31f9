-- 0003 trimmed only spaces (btrim's default), so a title of tabs, newlines or no-break spaces
-- passed the check while the API, which trims with JavaScript's String.prototype.trim, refuses
-- it. The database now strips the same characters JavaScript does before counting.
alter table todos drop constraint todos_title_length;
alter table todos add constraint todos_title_length check (
  char_length(btrim(
    title,
    E' \t\n\r\x0B\x0C' || U&'\00A0\1680\2000\2001\2002\2003\2004\2005\2006\2007\2008\2009\200A\2028\2029\202F\205F\3000\FEFF'
  )) between 1 and 500
);
