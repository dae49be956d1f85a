-- When an order took its current place in the paper book's queue at its price: null while that is
-- its created_at, set when an amend sends it to the back (a new price, or a larger remainder). The
-- paper venue rebuilds a book from the open orders in this order after a restart or a failure.
alter table orders add column priority_at timestamptz;
