-- FIX sessions are removed softly: fix_messages is the append-only record of the order flow a
-- session carried, so removing a session must never delete it (0005 cascaded the delete).
-- A removed session's CompID pair may be given to a new session.
alter table fix_sessions add column removed_at timestamptz;

alter table fix_session_state drop constraint fix_session_state_tenant_id_session_id_fkey;
alter table fix_session_state add constraint fix_session_state_tenant_id_session_id_fkey
  foreign key (tenant_id, session_id) references fix_sessions (tenant_id, id);
alter table fix_messages drop constraint fix_messages_tenant_id_session_id_fkey;
alter table fix_messages add constraint fix_messages_tenant_id_session_id_fkey
  foreign key (tenant_id, session_id) references fix_sessions (tenant_id, id);

alter table fix_sessions drop constraint fix_sessions_tenant_id_sender_comp_id_target_comp_id_key;
create unique index fix_sessions_live_comp_ids on fix_sessions (tenant_id, sender_comp_id, target_comp_id)
  where removed_at is null;

revoke delete on fix_sessions from atrium_app;
