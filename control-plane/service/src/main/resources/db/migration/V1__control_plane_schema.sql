-- Strata control plane: the first schema.
-- Every mutable row carries `version` (optimistic locking, JPA @Version).
-- Every tenant-owned row carries tenant_id, and child rows reference their parent
-- through (id, tenant_id) so that the database itself refuses a row that points
-- into another tenant.

create table tenant (
  id           uuid primary key,
  alias        varchar(32)  not null unique check (alias ~ '^[a-z][a-z0-9-]{1,31}$'),
  display_name varchar(200) not null check (length(display_name) > 0),
  state        varchar(16)  not null check (state in ('ACTIVE', 'SUSPENDED')),
  created_at   timestamptz  not null,
  version      bigint       not null default 0
);

create table quota (
  tenant_id        uuid primary key references tenant (id),
  max_arrays       integer not null check (max_arrays >= 0),
  max_ssd_drives   integer not null check (max_ssd_drives >= 0),
  max_hdd_drives   integer not null check (max_hdd_drives >= 0),
  max_capacity_gib bigint  not null check (max_capacity_gib >= 0),
  version          bigint  not null default 0
);

create table node (
  id                uuid primary key,
  name              varchar(100) not null unique,
  zone              varchar(64)  not null,
  address           varchar(255) not null,
  cpu_cores         integer      not null check (cpu_cores > 0),
  memory_gib        integer      not null check (memory_gib > 0),
  state             varchar(16)  not null
                    check (state in ('ENROLLING', 'ONLINE', 'OFFLINE', 'MAINTENANCE', 'DECOMMISSIONED')),
  last_heartbeat_at timestamptz,
  created_at        timestamptz  not null,
  version           bigint       not null default 0
);

create table drive (
  id           uuid primary key,
  node_id      uuid         not null references node (id),
  serial       varchar(100) not null unique,
  type         varchar(8)   not null check (type in ('SSD', 'HDD')),
  capacity_gib bigint       not null check (capacity_gib > 0),
  state        varchar(16)  not null check (state in ('AVAILABLE', 'FAILED', 'RETIRED')),
  created_at   timestamptz  not null,
  version      bigint       not null default 0
);
create index drive_node on drive (node_id);

-- "array" is an SQL keyword, hence storage_array.
create table storage_array (
  id             uuid primary key,
  tenant_id      uuid        not null references tenant (id),
  name           varchar(63) not null check (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  engine_size    varchar(8)  not null check (engine_size in ('E01', 'E02', 'E04', 'E08')),
  spread         varchar(8)  not null check (spread in ('NODE', 'ZONE', 'NONE')),
  node_id        uuid references node (id),
  state          varchar(16) not null
                 check (state in ('REQUESTED', 'PLACING', 'PROVISIONING', 'ONLINE', 'DEGRADED',
                                  'DELETING', 'DELETED', 'FAILED')),
  failure_reason text,
  target_iqn     varchar(223),
  portal_port    integer check (portal_port between 1024 and 65535),
  created_at     timestamptz not null,
  updated_at     timestamptz not null,
  version        bigint      not null default 0,
  unique (id, tenant_id),
  -- once placed, an array has its node, portal and target name
  check (state in ('REQUESTED', 'PLACING', 'FAILED')
         or (node_id is not null and portal_port is not null and target_iqn is not null))
);
create unique index storage_array_name_per_tenant on storage_array (tenant_id, name) where state <> 'DELETED';
create unique index storage_array_portal_per_node on storage_array (node_id, portal_port) where state <> 'DELETED';
create index storage_array_tenant_id on storage_array (tenant_id, id);

create table pool (
  id           uuid primary key,
  tenant_id    uuid        not null,
  array_id     uuid        not null,
  name         varchar(63) not null check (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  drive_type   varchar(8)  not null check (drive_type in ('SSD', 'HDD')),
  protection   varchar(8)  not null check (protection in ('RAID1', 'RAID5', 'RAID6', 'RAID10')),
  cache_mode   varchar(16) not null check (cache_mode in ('NONE', 'WRITE_THROUGH', 'WRITE_BACK', 'WRITE_AROUND')),
  tiering      boolean     not null,
  capacity_gib bigint      not null check (capacity_gib > 0),
  created_at   timestamptz not null,
  version      bigint      not null default 0,
  unique (id, tenant_id),
  unique (id, array_id, tenant_id),
  unique (array_id, name),
  foreign key (array_id, tenant_id) references storage_array (id, tenant_id)
);
create index pool_tenant_id on pool (tenant_id, id);

create table array_drive (
  id         uuid primary key,
  tenant_id  uuid        not null,
  array_id   uuid        not null,
  drive_id   uuid        not null references drive (id),
  pool_id    uuid,
  created_at timestamptz not null,
  version    bigint      not null default 0,
  foreign key (array_id, tenant_id) references storage_array (id, tenant_id),
  foreign key (pool_id, array_id, tenant_id) references pool (id, array_id, tenant_id)
);
-- a physical drive belongs to at most one array, hence to at most one tenant
create unique index array_drive_once on array_drive (drive_id);
create index array_drive_array on array_drive (array_id);

create table volume (
  id                 uuid primary key,
  tenant_id          uuid        not null,
  array_id           uuid        not null,
  pool_id            uuid        not null,
  name               varchar(63) not null check (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  size_gib           bigint      not null check (size_gib between 1 and 1048576),
  thin               boolean     not null,
  qos_iops_limit     integer check (qos_iops_limit is null or qos_iops_limit > 0),
  qos_mbps_limit     integer check (qos_mbps_limit is null or qos_mbps_limit > 0),
  multi_attach       boolean     not null,
  source_snapshot_id uuid,
  state              varchar(16) not null
                     check (state in ('CREATING', 'AVAILABLE', 'RESIZING', 'DELETING', 'DELETED', 'FAILED')),
  failure_reason     text,
  created_at         timestamptz not null,
  updated_at         timestamptz not null,
  version            bigint      not null default 0,
  unique (id, tenant_id),
  foreign key (pool_id, array_id, tenant_id) references pool (id, array_id, tenant_id)
);
create unique index volume_name_per_array on volume (array_id, name) where state <> 'DELETED';
create index volume_tenant_id on volume (tenant_id, id);
create index volume_pool on volume (pool_id);

create table snapshot_policy (
  id               uuid primary key,
  tenant_id        uuid        not null,
  volume_id        uuid        not null,
  name             varchar(63) not null check (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  interval_minutes integer     not null check (interval_minutes between 5 and 525600),
  retain           integer     not null check (retain between 1 and 1000),
  enabled          boolean     not null,
  last_run_at      timestamptz,
  created_at       timestamptz not null,
  version          bigint      not null default 0,
  unique (id, tenant_id),
  unique (volume_id, name),
  foreign key (volume_id, tenant_id) references volume (id, tenant_id)
);
create index snapshot_policy_tenant_id on snapshot_policy (tenant_id, id);

create table snapshot (
  id             uuid primary key,
  tenant_id      uuid        not null,
  volume_id      uuid        not null,
  policy_id      uuid,
  name           varchar(63) not null check (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  size_gib       bigint      not null check (size_gib > 0),
  state          varchar(16) not null check (state in ('CREATING', 'AVAILABLE', 'DELETING', 'DELETED', 'FAILED')),
  failure_reason text,
  created_at     timestamptz not null,
  updated_at     timestamptz not null,
  version        bigint      not null default 0,
  unique (id, tenant_id),
  foreign key (volume_id, tenant_id) references volume (id, tenant_id),
  foreign key (policy_id, tenant_id) references snapshot_policy (id, tenant_id) on delete set null (policy_id)
);
create unique index snapshot_name_per_volume on snapshot (volume_id, name) where state <> 'DELETED';
create index snapshot_tenant_id on snapshot (tenant_id, id);

-- a clone outlives the snapshot it was made from
alter table volume add foreign key (source_snapshot_id, tenant_id) references snapshot (id, tenant_id)
  on delete set null (source_snapshot_id);

create table server (
  id                        uuid primary key,
  tenant_id                 uuid         not null references tenant (id),
  name                      varchar(63)  not null check (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  iqn                       varchar(223) not null
                            check (iqn ~ '^(iqn\.[0-9]{4}-[0-9]{2}\.[a-z0-9.-]+(:[^ ]+)?|eui\.[0-9A-Fa-f]{16}|naa\.[0-9A-Fa-f]{16,32})$'),
  chap_user                 varchar(64),
  chap_secret_sealed        text,
  mutual_chap_user          varchar(64),
  mutual_chap_secret_sealed text,
  created_at                timestamptz  not null,
  version                   bigint       not null default 0,
  unique (id, tenant_id),
  unique (tenant_id, name),
  unique (tenant_id, iqn),
  check ((chap_user is null) = (chap_secret_sealed is null)),
  check ((mutual_chap_user is null) = (mutual_chap_secret_sealed is null)),
  -- mutual CHAP only on top of CHAP
  check (mutual_chap_user is null or chap_user is not null)
);
create index server_tenant_id on server (tenant_id, id);

create table attachment (
  id         uuid primary key,
  tenant_id  uuid        not null,
  volume_id  uuid        not null,
  server_id  uuid        not null,
  array_id   uuid        not null,
  lun        integer     not null check (lun between 0 and 255),
  read_only  boolean     not null,
  state      varchar(16) not null check (state in ('ATTACHING', 'ATTACHED', 'DETACHING', 'DETACHED', 'FAILED')),
  failure_reason text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  version    bigint      not null default 0,
  foreign key (volume_id, tenant_id) references volume (id, tenant_id),
  foreign key (server_id, tenant_id) references server (id, tenant_id),
  foreign key (array_id, tenant_id) references storage_array (id, tenant_id)
);
create unique index attachment_once_per_server on attachment (volume_id, server_id)
  where state in ('ATTACHING', 'ATTACHED', 'DETACHING');
create unique index attachment_lun_per_server on attachment (array_id, server_id, lun)
  where state in ('ATTACHING', 'ATTACHED', 'DETACHING');
create index attachment_tenant_id on attachment (tenant_id, id);
create index attachment_volume on attachment (volume_id);

create table operation (
  id           uuid primary key,
  tenant_id    uuid references tenant (id),
  kind         varchar(64)  not null,
  target_type  varchar(32)  not null,
  target_id    uuid         not null,
  state        varchar(16)  not null check (state in ('PENDING', 'SUCCEEDED', 'FAILED')),
  error        text,
  requested_by varchar(255) not null,
  created_at   timestamptz  not null,
  updated_at   timestamptz  not null,
  version      bigint       not null default 0
);
create index operation_tenant_id on operation (tenant_id, id);
create index operation_target on operation (target_id) where state = 'PENDING';

create table audit_entry (
  id             bigint generated always as identity primary key,
  tenant_id      uuid references tenant (id),
  actor          varchar(255) not null,
  action         varchar(64)  not null,
  target_type    varchar(32)  not null,
  target_id      uuid,
  remote_address varchar(64),
  at             timestamptz  not null
);
create index audit_entry_tenant on audit_entry (tenant_id, id);

-- A create retried with the same Idempotency-Key answers the first result.
create table idempotency_record (
  scope        varchar(300)  not null,
  idem_key     varchar(255)  not null,
  request_hash varchar(64)   not null,
  status       integer       not null,
  location     varchar(500),
  body         text          not null,
  created_at   timestamptz   not null,
  primary key (scope, idem_key)
);

-- Transactional outbox (issue 6 point 1): commands for the storage nodes, written in the
-- same transaction as the domain change; a relay publishes them to strata.commands keyed
-- by node_id and stamps published_at.
create table outbox_message (
  id           uuid primary key,
  type         varchar(100) not null,
  spec_version integer      not null check (spec_version > 0),
  source       varchar(100) not null,
  subject      varchar(100) not null,
  node_id      uuid         not null references node (id),
  payload      jsonb        not null,
  created_at   timestamptz  not null,
  published_at timestamptz
);
create index outbox_unpublished on outbox_message (created_at) where published_at is null;
