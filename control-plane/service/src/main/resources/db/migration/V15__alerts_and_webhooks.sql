-- Alerts (docs/observability.md, "Alerts"): conditions the control plane evaluates from its own
-- state, level-triggered, with thresholds an operator changes through the admin API; webhooks that
-- tenants and operators register, and the log of their deliveries.

create table alert_threshold (
  name        varchar(64)      primary key,
  value       double precision not null,
  updated_at  timestamptz      not null,
  updated_by  varchar(255)     not null
);
insert into alert_threshold (name, value, updated_at, updated_by) values
  ('pool-full-warning-ratio', 0.85, now(), 'default'),
  ('pool-full-critical-ratio', 0.95, now(), 'default'),
  ('metering-lag-messages', 10000, now(), 'default'),
  ('outbox-age-seconds', 120, now(), 'default');

create table alert (
  id           bigint generated always as identity primary key,
  condition    varchar(48)  not null,
  -- the object the condition holds for: 'array', 'pool', 'drive', 'node' or 'control-plane'
  object_type  varchar(16)  not null,
  object_key   varchar(128) not null,
  tenant_id    uuid references tenant (id),
  array_id     uuid,
  node_id      uuid,
  severity     varchar(16)  not null check (severity in ('info', 'warning', 'critical')),
  state        varchar(16)  not null check (state in ('FIRING', 'RESOLVED')),
  summary      varchar(1024) not null,
  first_seen   timestamptz  not null,
  last_seen    timestamptz  not null,
  resolved_at  timestamptz,
  version      bigint       not null default 0
);
-- one open alert per condition and object, whatever replica evaluates
create unique index alert_one_open on alert (condition, object_key) where state = 'FIRING';
create index alert_tenant on alert (tenant_id, id);

create table webhook (
  id            uuid         primary key,
  -- null: an operator's webhook (every alert); otherwise the tenant's (its own alerts only)
  tenant_id     uuid references tenant (id),
  url           varchar(2048) not null,
  -- the HMAC-SHA256 signing secret, sealed (AES-GCM, SecretBox); shown to its owner once
  secret_sealed varchar(512) not null,
  created_by    varchar(255) not null,
  created_at    timestamptz  not null
);
create index webhook_tenant on webhook (tenant_id);

create table webhook_delivery (
  id               bigint generated always as identity primary key,
  webhook_id       uuid         not null references webhook (id) on delete cascade,
  tenant_id        uuid,
  alert_id         bigint       not null references alert (id),
  event            varchar(16)  not null,
  body             text         not null,
  state            varchar(16)  not null check (state in ('PENDING', 'DELIVERED', 'FAILED')),
  attempts         int          not null default 0,
  next_attempt_at  timestamptz  not null,
  last_status      int,
  last_error       varchar(512),
  created_at       timestamptz  not null,
  delivered_at     timestamptz,
  version          bigint       not null default 0
);
create index webhook_delivery_due on webhook_delivery (next_attempt_at) where state = 'PENDING';
create index webhook_delivery_webhook on webhook_delivery (webhook_id, id);

-- what the control plane last heard of each array's space per tier (strata.usage samples), for
-- the pool-fill conditions
create table array_tier_fill (
  array_id        uuid        not null,
  tier            varchar(8)  not null,
  capacity_bytes  bigint      not null,
  used_bytes      bigint      not null,
  sampled_at      timestamptz not null,
  primary key (array_id, tier)
);
