-- When a stop-limit order's stop was reached and it went to the book as a limit order (UTC,
-- microseconds); null while it is held, and for other types. A paper book rebuilt from the record
-- puts a triggered stop-limit back in the book at its limit price instead of holding it again.
alter table orders add column triggered_at timestamptz;
