-- Orders, their state history, executions and idempotency keys.
-- Money columns are numeric: exact, never floating point.

create table orders (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  account_id uuid not null,
  client_order_id text not null check (client_order_id ~ '^[A-Za-z0-9_-]{1,36}$'),
  -- A smart-router parent's children point at it.
  parent_id uuid,
  instrument text not null,
  venue text not null,
  venue_order_id text,
  side text not null check (side in ('buy', 'sell')),
  type text not null check (type in ('market', 'limit', 'stop-limit')),
  time_in_force text not null check (time_in_force in ('GTC', 'IOC', 'FOK', 'GTD')),
  post_only boolean not null default false,
  reduce_only boolean not null default false,
  quantity numeric not null check (quantity > 0),
  price numeric check (price > 0),
  stop_price numeric check (stop_price > 0),
  expires_at timestamptz,
  status text not null check (status in ('pending-new', 'new', 'partially-filled', 'filled', 'cancelled', 'rejected', 'expired',
                                         'pending-cancel', 'pending-replace', 'unknown')),
  cum_quantity numeric not null default 0 check (cum_quantity >= 0),
  leaves_quantity numeric not null check (leaves_quantity >= 0),
  avg_price numeric,
  -- Exact sum of fill quantity × price, so the average stays exact across fills.
  cum_notional numeric not null default 0,
  reject_reason text,
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default clock_timestamp(),
  primary key (tenant_id, id),
  unique (tenant_id, client_order_id),
  foreign key (tenant_id, account_id) references accounts (tenant_id, id),
  check (cum_quantity <= quantity)
);
create index orders_account_idx on orders (tenant_id, account_id, id);
create index orders_open_idx on orders (tenant_id, status, id) where status in ('pending-new', 'new', 'partially-filled', 'pending-cancel', 'pending-replace', 'unknown');

-- Every transition, with its microsecond UTC time.
create table order_events (
  tenant_id uuid not null,
  order_id uuid not null,
  seq integer not null check (seq > 0),
  status text not null,
  event jsonb not null,
  occurred_at timestamptz not null default clock_timestamp(),
  primary key (tenant_id, order_id, seq),
  foreign key (tenant_id, order_id) references orders (tenant_id, id)
);

create table executions (
  tenant_id uuid not null,
  id uuid not null,
  order_id uuid not null,
  account_id uuid not null,
  instrument text not null,
  venue text not null,
  side text not null check (side in ('buy', 'sell')),
  quantity numeric not null check (quantity > 0),
  price numeric not null check (price > 0),
  fee numeric not null check (fee >= 0),
  fee_currency text not null,
  liquidity text not null check (liquidity in ('maker', 'taker')),
  executed_at timestamptz not null default clock_timestamp(),
  primary key (tenant_id, id),
  foreign key (tenant_id, order_id) references orders (tenant_id, id)
);
create index executions_order_idx on executions (tenant_id, order_id, id);
create index executions_account_idx on executions (tenant_id, account_id, id);

-- Idempotency-Key / clientOrderId replay store, per tenant, kept at least 24 h.
create table idempotency_keys (
  tenant_id uuid not null references tenants (id),
  key text not null check (char_length(key) between 1 and 255),
  request_hash text not null,
  state text not null check (state in ('in-flight', 'done')),
  response_status integer,
  response_body text,
  created_at timestamptz not null default clock_timestamp(),
  expires_at timestamptz not null default clock_timestamp() + interval '24 hours',
  primary key (tenant_id, key)
);

do $$
declare t text;
begin
  foreach t in array array['orders', 'order_events', 'executions', 'idempotency_keys'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy %I on %I
      using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
      with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))$p$, t || '_tenant', t);
  end loop;
end
$$;

grant select, insert, update on orders, idempotency_keys to atrium_app;
grant select, insert on order_events, executions to atrium_app;
-- Expired idempotency keys are removed by the key's owner tenant when reused (see the API).
grant delete on idempotency_keys to atrium_app;
