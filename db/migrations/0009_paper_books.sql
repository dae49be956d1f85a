-- The record's side of each paper book. A book lives in an API process as its copy of the open
-- paper orders; several replicas may each hold a copy of the same tenant's book. Every change to
-- a book's orders (placing, cancelling, amending, the market's ticks, a load that records what the
-- market did) locks this row first and moves `version` on in the transaction that records it. A
-- process whose copy is of an older version rebuilds it from the record under that lock before it
-- changes anything, so no replica fills, cancels or expires an order from a copy another replica
-- has overtaken, and two replicas never fill the same resting order twice.
-- `mid` is the synthetic market's mid when the book last changed, so a copy built after a restart
-- or in another replica quotes where the market was rather than where its seed starts.
create table paper_books (
  tenant_id uuid not null references tenants (id),
  instrument text not null,
  version bigint not null default 0 check (version >= 0),
  mid numeric check (mid > 0),
  updated_at timestamptz not null default clock_timestamp(),
  primary key (tenant_id, instrument)
);

alter table paper_books enable row level security;
alter table paper_books force row level security;
create policy paper_books_tenant on paper_books
  using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
  with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));

grant select, insert, update on paper_books to atrium_app;
