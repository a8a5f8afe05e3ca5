-- A node is taken for silent only while the control plane is reading its reports. When a
-- control-plane replica dies, the partitions of strata.events it read wait for the consumer
-- group's session timeout before another replica takes them: meanwhile their nodes' heartbeats
-- are not applied, and without this a live node looked dead (OFFLINE, its HA arrays failed over).

-- the partition of strata.events a node's reports arrive on (agents key them by node name)
alter table node add column events_partition integer;

-- when a control-plane replica last had a partition read to its end (PostgreSQL's clock)
create table events_partition_progress (
  partition_no integer primary key,
  caught_up_at timestamptz not null
);
