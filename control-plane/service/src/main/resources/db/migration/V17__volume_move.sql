-- Online volume moves (issue 18, point 4): POST /api/v1/volumes/{id}/move takes an AVAILABLE
-- volume to another pool of its array while it serves I/O. The volume is MOVING: pool_id is
-- already the pool it moves to (the desired state's volume.poolId) and move_from_pool_id the pool
-- its data is copied from; the engine's progress (1 MiB extents copied of all) is kept here. The
-- engine's report that the move is DONE makes it AVAILABLE again and clears move_from_pool_id.
alter table volume drop constraint volume_state_check;
alter table volume add constraint volume_state_check
  check (state in ('CREATING', 'AVAILABLE', 'RESIZING', 'ROLLING_BACK', 'MOVING', 'RECYCLED', 'DELETING',
                   'DELETED', 'FAILED'));

alter table volume
  add column move_from_pool_id    uuid,
  add column move_copied_extents  bigint not null default 0 check (move_copied_extents >= 0),
  add column move_total_extents   bigint not null default 0 check (move_total_extents >= 0),
  add column move_stopped_reason  text,
  add column move_started_at      timestamptz;

-- the pool it moves from is another pool of the same array and tenant
alter table volume add constraint volume_move_from_pool
  foreign key (move_from_pool_id, array_id, tenant_id) references pool (id, array_id, tenant_id);
alter table volume add constraint volume_move_from_another_pool
  check (move_from_pool_id is null or move_from_pool_id <> pool_id);
-- a MOVING volume knows where from (a FAILED one may keep it: the engine still finishes the move)
alter table volume add constraint volume_moving_has_source
  check (state <> 'MOVING' or (move_from_pool_id is not null and move_started_at is not null));

create index volume_move_from_pool on volume (move_from_pool_id) where move_from_pool_id is not null;
