-- A tenant's keys for live venues, per trading account, sealed with AES-256-GCM envelope
-- encryption (trading/src/vault) bound to tenant and account. Never returned, never logged.
create table venue_credentials (
  tenant_id uuid not null,
  account_id uuid not null,
  venue text not null check (venue in ('binance', 'coinbase', 'kraken')),
  sealed text not null,
  -- The last four characters of the API key, so people can tell keys apart.
  api_key_hint text not null,
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default clock_timestamp(),
  primary key (tenant_id, account_id, venue),
  foreign key (tenant_id, account_id) references accounts (tenant_id, id)
);

alter table venue_credentials enable row level security;
alter table venue_credentials force row level security;
create policy venue_credentials_tenant on venue_credentials
  using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
  with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));

grant select, insert, update, delete on venue_credentials to atrium_app;
