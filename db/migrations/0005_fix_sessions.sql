-- FIX sessions (fix-gateway): the sessions are data, their sequence numbers and sent
-- messages live here so that resend and sequence continuity survive a restart.

-- One row per FIX 4.4 session the acceptor knows. sender_comp_id is ours, target_comp_id
-- the counterparty's. The gateway resolves an incoming Logon by CompIDs before it knows the
-- tenant, so it reads this table in platform scope; writers are tenant-scoped.
create table fix_sessions (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  name text not null check (char_length(name) between 1 and 200),
  begin_string text not null default 'FIX.4.4' check (begin_string = 'FIX.4.4'),
  -- Printable ASCII without '=' or SOH, as FIX requires of a CompID.
  sender_comp_id text not null check (sender_comp_id ~ '^[!-<>-~]{1,64}$'),
  target_comp_id text not null check (target_comp_id ~ '^[!-<>-~]{1,64}$'),
  -- 'api-client': Logon's Username/Password are checked against this API client's secret.
  -- 'test-unauthenticated': the QuickFIX acceptance scripts' session; only
  -- fix-gateway/src/testing.ts creates it, and the gateway refuses it outside tests.
  authentication text not null default 'api-client' check (authentication in ('api-client', 'test-unauthenticated')),
  api_client_id uuid,
  reset_on_logon boolean not null default false,
  enabled boolean not null default true,
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default clock_timestamp(),
  primary key (tenant_id, id),
  -- Uniqueness across tenants is enforced by the writer in platform scope (see sessions-table.ts).
  unique (tenant_id, sender_comp_id, target_comp_id),
  foreign key (tenant_id, api_client_id) references api_clients (tenant_id, id),
  check ((authentication = 'api-client') = (api_client_id is not null))
);

-- The sequence state of a session. epoch grows on every sequence reset, so sent messages
-- are append-only: a reset never deletes or overwrites what was sent before it.
-- owner is the lease token of the gateway that holds the session's advisory lock; every
-- write names it, so a gateway that lost the lock cannot write (fencing).
create table fix_session_state (
  tenant_id uuid not null,
  session_id uuid not null,
  epoch integer not null default 1 check (epoch > 0),
  next_sender_seq integer not null default 1 check (next_sender_seq > 0),
  next_target_seq integer not null default 1 check (next_target_seq > 0),
  owner text,
  updated_at timestamptz not null default clock_timestamp(),
  primary key (tenant_id, session_id),
  foreign key (tenant_id, session_id) references fix_sessions (tenant_id, id) on delete cascade
);

-- Messages we sent, for ResendRequest. Only outbound messages are kept, so a counterparty's
-- Password(554) or RawData(96) is never stored. payload is everything after the standard
-- header fields we rebuild on resend (BeginString … TargetCompID).
create table fix_messages (
  tenant_id uuid not null,
  session_id uuid not null,
  epoch integer not null,
  seq integer not null check (seq > 0),
  msg_type text not null,
  sending_time text not null,
  payload bytea not null,
  stored_at timestamptz not null default clock_timestamp(),
  primary key (tenant_id, session_id, epoch, seq),
  foreign key (tenant_id, session_id) references fix_sessions (tenant_id, id) on delete cascade
);

alter table fix_sessions enable row level security;
alter table fix_sessions force row level security;
create policy fix_sessions_scope on fix_sessions
  using (
    tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
    or (select current_setting('app.scope', true)) = 'platform'
  )
  with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));

do $$
declare t text;
begin
  foreach t in array array['fix_session_state', 'fix_messages'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy %I on %I
      using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
      with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))$p$, t || '_tenant', t);
  end loop;
end
$$;

-- Running gateways reload their sessions when this fires (db.listen), on commit.
create function notify_fix_session_change() returns trigger
language plpgsql security invoker as $$
begin
  perform pg_notify('atrium_fix_sessions', coalesce(new.id, old.id)::text);
  return null;
end
$$;
create trigger fix_sessions_notify after insert or update or delete on fix_sessions
  for each row execute function notify_fix_session_change();

-- The hot path of the message store: one statement, one implicit transaction, one round trip.
-- It stores a batch of sent messages and the sequence numbers together, fenced by the owner's
-- lease. Like account_by_id it scopes itself to its tenant and refuses to widen another scope.
create function fix_session_persist(
  p_tenant_id uuid, p_session_id uuid, p_owner text, p_epoch integer,
  p_next_sender_seq integer, p_next_target_seq integer,
  -- [{"seq": 1, "msg_type": "A", "sending_time": "…", "payload": "<hex>"}, …]
  p_messages jsonb
) returns boolean
language plpgsql volatile security invoker as $$
begin
  if nullif(current_setting('app.reseller_id', true), '') is null
     and nullif(current_setting('app.scope', true), '') is null
     and coalesce(nullif(current_setting('app.tenant_id', true), ''), p_tenant_id::text) = p_tenant_id::text then
    perform set_config('app.tenant_id', p_tenant_id::text, true);
  end if;
  update atrium.fix_session_state
     set next_sender_seq = p_next_sender_seq, next_target_seq = p_next_target_seq, updated_at = clock_timestamp()
   where tenant_id = p_tenant_id and session_id = p_session_id and owner = p_owner and epoch = p_epoch;
  if not found then
    return false;
  end if;
  insert into atrium.fix_messages (tenant_id, session_id, epoch, seq, msg_type, sending_time, payload)
  select p_tenant_id, p_session_id, p_epoch, m.seq, m.msg_type, m.sending_time, decode(m.payload, 'hex')
    from jsonb_to_recordset(p_messages) as m(seq integer, msg_type text, sending_time text, payload text);
  return true;
end
$$;

grant select, insert, update, delete on fix_sessions to atrium_app;
grant select, insert, update on fix_session_state to atrium_app;
grant select, insert on fix_messages to atrium_app;
revoke all on function notify_fix_session_change() from public;
