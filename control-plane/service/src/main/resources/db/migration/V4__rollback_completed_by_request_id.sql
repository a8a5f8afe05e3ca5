-- A rollback now completes on the agent's report for its request id (ObjectStatus kind ROLLBACK),
-- not on a status whose generation is later than the request: the request's time decides nothing.
alter table volume drop constraint volume_rollback_whole;
alter table volume drop column rollback_requested_at;
alter table volume add constraint volume_rollback_whole
  check ((rollback_request_id is null) = (rollback_snapshot_id is null));
