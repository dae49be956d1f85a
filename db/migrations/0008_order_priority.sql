-- When an order took its current place in the paper book's queue at its price: when the book took
-- it (a queue's wait can put that after a later order's receipt), and again when an amend sends it
-- to the back (a new price, or a larger remainder). Null for orders of other venues. The paper venue
-- rebuilds a book from the open orders in this order after a restart or a failure.
alter table orders add column priority_at timestamptz;
