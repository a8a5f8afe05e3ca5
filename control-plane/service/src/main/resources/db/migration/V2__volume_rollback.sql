-- Snapshot rollback (issue 4/6): a volume can be ROLLING_BACK, and remembers the last rollback
-- asked of it. The desired state keeps carrying that request (level-triggered); the agent applies
-- each request id once. requested_at tells which reported generation already includes it.
alter table volume drop constraint volume_state_check;
alter table volume add constraint volume_state_check
  check (state in ('CREATING', 'AVAILABLE', 'RESIZING', 'ROLLING_BACK', 'DELETING', 'DELETED', 'FAILED'));

alter table volume
  add column rollback_request_id   uuid,
  add column rollback_snapshot_id  uuid,
  add column rollback_requested_at timestamptz;

-- the three describe one request: all set or none
alter table volume add constraint volume_rollback_whole
  check ((rollback_request_id is null) = (rollback_snapshot_id is null)
     and (rollback_request_id is null) = (rollback_requested_at is null));
