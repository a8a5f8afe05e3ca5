-- Audit log (docs/observability.md, "Audit log"): every change made through the API, also the
-- refused and failed ones, with who asked (user and the tenant of their token), how (method and
-- path), what came of it, and marks for entries an operator must be able to find quickly.
alter table audit_entry
  add column actor_tenant varchar(64),
  add column method       varchar(8),
  add column path         varchar(512),
  add column result       varchar(16) not null default 'SUCCEEDED',
  add column status       smallint,
  add column marks        varchar(128) not null default '';

alter table audit_entry
  add constraint audit_entry_result check (result in ('SUCCEEDED', 'REFUSED', 'FAILED'));

-- filters of GET /api/v1/audit and /api/v1/admin/audit, newest first (keyset on id)
create index audit_entry_actor on audit_entry (actor, id);
create index audit_entry_target on audit_entry (target_id, id);
create index audit_entry_at on audit_entry (at);

-- Immutable: no UPDATE, DELETE or TRUNCATE path, whoever connects (the application has none; this
-- makes a mistaken or malicious statement fail instead of rewriting history).
create function audit_entry_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit entries are immutable (% refused)', tg_op using errcode = 'insufficient_privilege';
end;
$$;

create trigger audit_entry_no_update_or_delete before update or delete on audit_entry
  for each row execute function audit_entry_refuse_change();
create trigger audit_entry_no_truncate before truncate on audit_entry
  for each statement execute function audit_entry_refuse_change();
