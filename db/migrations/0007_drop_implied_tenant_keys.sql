-- Two foreign keys to tenants that other keys already imply: an order's (tenant_id, account_id)
-- references accounts, whose tenant_id references tenants; a seal's (tenant_id, event_id) references
-- audit_events, whose tenant_id references tenants. Each checked the tenant's row again, and took a
-- KEY SHARE lock on it, for every order and every seal written. The catalogue test keeps the rule
-- that every tenant_id reaches tenants through foreign keys.
alter table orders drop constraint orders_tenant_id_fkey;
alter table audit_seals drop constraint audit_seals_tenant_id_fkey;
