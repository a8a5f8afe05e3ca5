-- Highly available arrays (issue 17): two engines of one array on two nodes, an ACTIVE one and a
-- STANDBY one. storage_array.node_id/portal_port stay the node and portal of the engine the
-- agents are told runs the array (the ACTIVE slot, or the demoting one during a switchover), so
-- everything that reads them keeps working; array_engine holds both slots.
alter table storage_array add column high_availability boolean not null default false;
-- Raised on every promotion: the engines present it to the drive export services (fencing).
alter table storage_array add column ha_epoch bigint not null default 0 check (ha_epoch >= 0);
-- Set while a planned switchover waits for the old active to report STANDBY at the new epoch.
alter table storage_array add column switchover_started_at timestamptz;

create table array_engine (
  id               uuid primary key,
  tenant_id        uuid        not null,
  array_id         uuid        not null,
  node_id          uuid        not null references node (id),
  role             varchar(8)  not null check (role in ('ACTIVE', 'STANDBY')),
  portal_port      integer     not null check (portal_port between 1024 and 65535),
  -- the ALUA target port group of this engine's portal; never changes for a node of the array
  port_group       integer     not null check (port_group in (1, 2)),
  -- its node's copies are out of sync: never promoted, dropped without asking, until resynced
  outdated         boolean     not null default false,
  -- what the engine on that node said last (ArrayStatus role, haEpoch, state, reason)
  reported_role    varchar(8)  check (reported_role in ('ACTIVE', 'STANDBY')),
  reported_epoch   bigint,
  reported_state   varchar(16),
  reported_reason  text,
  reported_at      timestamptz,
  created_at       timestamptz not null,
  version          bigint      not null default 0,
  foreign key (array_id, tenant_id) references storage_array (id, tenant_id) on delete cascade,
  unique (array_id, node_id),
  unique (array_id, port_group)
);
create index array_engine_node on array_engine (node_id);
create index array_engine_tenant_array on array_engine (tenant_id, array_id);
-- at most one ACTIVE slot per array (during a planned switchover there is none)
create unique index array_engine_one_active on array_engine (array_id) where role = 'ACTIVE';

-- A highly available array's pool has its flash cache and its SSD tier mirrored: one SSD on each
-- engine node, so two CACHE and two TIER drives, told apart by role_copy (1 or 2). A
-- single-engine pool's are copy 1, so it still has at most one of each (V7's rule).
alter table array_drive add column role_copy smallint not null default 1 check (role_copy in (1, 2));
drop index array_drive_one_cache_one_tier;
create unique index array_drive_one_cache_one_tier on array_drive (pool_id, role, role_copy)
  where role in ('CACHE', 'TIER');
