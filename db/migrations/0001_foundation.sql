-- Foundation: resellers, tenants, accounts, the audit chain.
-- Runs as atrium_owner. The runtime role atrium_app is neither owner nor superuser
-- and has no BYPASSRLS, so every policy below binds it.
--
-- Scope settings, set only with set_config(..., true) inside a transaction:
--   app.tenant_id   the tenant whose rows are visible
--   app.reseller_id a reseller's own tenants (reseller operations)
--   app.scope       'platform' for platform operations (tenant directory, sealing sweep)
-- Policies read each setting through (select ...) so it is evaluated once per statement.

create table resellers (
  id uuid primary key,
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text not null check (char_length(name) between 1 and 200),
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default clock_timestamp()
);

create table tenants (
  -- The tenant's own id is its tenant_id: the distribution column when sharded.
  id uuid primary key,
  reseller_id uuid not null references resellers (id),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text not null check (char_length(name) between 1 and 200),
  legal_name text not null check (char_length(legal_name) between 1 and 300),
  lei text check (lei ~ '^[A-Z0-9]{18}[0-9]{2}$'),
  status text not null default 'active' check (status in ('active', 'suspended')),
  default_locale text not null default 'en',
  allowed_locales text[] not null default '{en}',
  reporting_currency text not null default 'USD' check (reporting_currency ~ '^[A-Z]{3,10}$'),
  brand_display_name text,
  brand_primary_color text check (brand_primary_color ~ '^#[0-9a-fA-F]{6}$'),
  brand_secondary_color text check (brand_secondary_color ~ '^#[0-9a-fA-F]{6}$'),
  brand_logo bytea check (octet_length(brand_logo) <= 262144),
  brand_logo_media_type text check (brand_logo_media_type in ('image/png', 'image/svg+xml')),
  custom_domain text unique,
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default clock_timestamp(),
  check (default_locale = any (allowed_locales)),
  check ((brand_logo is null) = (brand_logo_media_type is null))
);
create index tenants_reseller_idx on tenants (reseller_id, id);

create table accounts (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  code text not null check (code ~ '^[A-Za-z0-9_-]{1,36}$'),
  name text not null check (char_length(name) between 1 and 200),
  base_currency text not null default 'USD' check (base_currency ~ '^[A-Z]{3,10}$'),
  status text not null default 'active' check (status in ('active', 'closed')),
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default clock_timestamp(),
  primary key (tenant_id, id),
  unique (tenant_id, code)
);

-- Audit events are written by the business transaction itself; they carry no
-- chain position, so concurrent writers of one tenant never wait for each other.
create table audit_events (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  -- Top-level transaction id: rows below the oldest running transaction can no
  -- longer appear, so the sealer can seal them in (tx_id, id) order.
  tx_id xid8 not null,
  occurred_at timestamptz not null,
  actor_type text not null check (actor_type in ('user', 'client', 'system')),
  actor_id text not null,
  action text not null check (action ~ '^[a-z][a-z0-9_.-]{1,99}$'),
  object_type text not null,
  object_id text,
  before jsonb,
  after jsonb,
  request_id text,
  primary key (tenant_id, id)
);
create index audit_events_seal_order_idx on audit_events (tenant_id, tx_id, id);

-- The chain: seq, previous hash and SHA-256 over the canonical event, sealed after commit.
create table audit_seals (
  tenant_id uuid not null references tenants (id),
  seq bigint not null check (seq > 0),
  event_id uuid not null,
  prev_hash bytea not null check (octet_length(prev_hash) = 32),
  hash bytea not null check (octet_length(hash) = 32),
  sealed_at timestamptz not null default clock_timestamp(),
  primary key (tenant_id, seq),
  unique (tenant_id, event_id),
  foreign key (tenant_id, event_id) references audit_events (tenant_id, id)
);

-- The writer cannot choose its own transaction id or time.
create function stamp_audit_event() returns trigger
language plpgsql security invoker as $$
begin
  new.tx_id := pg_current_xact_id();
  new.occurred_at := clock_timestamp();
  return new;
end
$$;
create trigger audit_events_stamp before insert on audit_events
  for each row execute function stamp_audit_event();

create function refuse_audit_change() returns trigger
language plpgsql security invoker as $$
begin
  raise exception 'audit records are append-only: % on % refused', tg_op, tg_table_name
    using errcode = '42501';
end
$$;
create trigger audit_events_append_only before update or delete on audit_events
  for each row execute function refuse_audit_change();
create trigger audit_events_no_truncate before truncate on audit_events
  for each statement execute function refuse_audit_change();
create trigger audit_seals_append_only before update or delete on audit_seals
  for each row execute function refuse_audit_change();
create trigger audit_seals_no_truncate before truncate on audit_seals
  for each statement execute function refuse_audit_change();

-- Row-level security: ENABLE + FORCE everywhere, USING and WITH CHECK on every policy.
alter table resellers enable row level security;
alter table resellers force row level security;
create policy resellers_scope on resellers
  using (
    (select current_setting('app.scope', true)) = 'platform'
    or id = (select nullif(current_setting('app.reseller_id', true), '')::uuid)
  )
  with check (
    (select current_setting('app.scope', true)) = 'platform'
    or id = (select nullif(current_setting('app.reseller_id', true), '')::uuid)
  );

alter table tenants enable row level security;
alter table tenants force row level security;
create policy tenants_scope on tenants
  using (
    id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
    or reseller_id = (select nullif(current_setting('app.reseller_id', true), '')::uuid)
    or (select current_setting('app.scope', true)) = 'platform'
  )
  with check (
    id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
    or reseller_id = (select nullif(current_setting('app.reseller_id', true), '')::uuid)
    or (select current_setting('app.scope', true)) = 'platform'
  );

alter table accounts enable row level security;
alter table accounts force row level security;
create policy accounts_tenant on accounts
  using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
  with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));

alter table audit_events enable row level security;
alter table audit_events force row level security;
create policy audit_events_tenant on audit_events
  using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
  with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));

alter table audit_seals enable row level security;
alter table audit_seals force row level security;
create policy audit_seals_tenant on audit_seals
  using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
  with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));

-- Hot read path: one statement, one implicit transaction. It sets the tenant
-- locally and reads under RLS. PL/pgSQL, so its statements' plans are cached
-- per session. Inside any other scope (another tenant, a reseller, the
-- platform) it refuses to switch: RLS keeps that scope and the tenant_id
-- filter returns nothing, so it can never widen what a transaction sees.
create function account_by_id(p_tenant_id uuid, p_id uuid) returns setof accounts
language plpgsql volatile security invoker as $$
begin
  if nullif(current_setting('app.reseller_id', true), '') is null
     and nullif(current_setting('app.scope', true), '') is null
     and coalesce(nullif(current_setting('app.tenant_id', true), ''), p_tenant_id::text) = p_tenant_id::text then
    perform set_config('app.tenant_id', p_tenant_id::text, true);
  end if;
  return query select * from atrium.accounts a where a.tenant_id = p_tenant_id and a.id = p_id;
end
$$;

grant usage on schema atrium to atrium_app;
grant select, insert, update on resellers, tenants, accounts to atrium_app;
grant select, insert on audit_events, audit_seals to atrium_app;
revoke all on function stamp_audit_event(), refuse_audit_change() from public;
