-- Identity: machine API clients per tenant, tenant commercial settings.

alter table tenants
  add column fee_schedule jsonb not null default '{}'::jsonb,
  add column default_limits jsonb not null default '{}'::jsonb;

-- A tenant admin's machine clients. The secret is shown once and kept only as a
-- scrypt hash. client_id is globally unique: the issuer and FIX logons look it up
-- before they know the tenant.
create table api_clients (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  client_id text not null check (client_id ~ '^[a-z0-9][a-z0-9-]{2,99}$'),
  name text not null check (char_length(name) between 1 and 200),
  secret_hash text not null,
  roles text[] not null check (cardinality(roles) > 0),
  ip_allowlist cidr[] not null default '{}',
  expires_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default clock_timestamp(),
  primary key (tenant_id, id),
  unique (tenant_id, client_id)
);

alter table api_clients enable row level security;
alter table api_clients force row level security;
-- The tenant sees its own clients; the platform scope resolves a client_id at
-- authentication time (the issuer's client lookup, the API's revocation check).
create policy api_clients_scope on api_clients
  using (
    tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
    or (select current_setting('app.scope', true)) = 'platform'
  )
  with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));

grant select, insert, update on api_clients to atrium_app;
