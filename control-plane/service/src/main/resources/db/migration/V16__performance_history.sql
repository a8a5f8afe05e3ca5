-- The tenants' performance history (docs/observability.md "Tenant performance"): one row per
-- array, pool or busy volume per sample the agents send (ArrayPerformance on strata.events, every
-- 60 s by default). Counters are the interval's; latencies its quantiles; used bytes the state at
-- its end. Rows older than strata.performance.retention (14 days) are deleted hourly; queries
-- downsample with date_bin. Columns are ordered widest first so rows pack without padding.
create table performance_sample (
  object_id          uuid        not null,   -- array, pool or volume id (ids are unique across kinds)
  sampled_at         timestamptz not null,   -- end of the sample's interval
  read_ops           bigint      not null,
  write_ops          bigint      not null,
  read_bytes         bigint      not null,
  written_bytes      bigint      not null,
  cache_read_hits    bigint,                 -- null without a flash cache
  cache_read_misses  bigint,
  ssd_used_bytes     bigint,                 -- null for a volume
  hdd_used_bytes     bigint,
  interval_seconds   integer     not null,
  read_p50_us        integer,                -- null when the interval had no reads
  read_p99_us        integer,
  write_p50_us       integer,
  write_p99_us       integer,
  object_kind        smallint    not null,   -- 0 array, 1 pool, 2 volume
  primary key (object_id, sampled_at)
);

-- the retention sweep deletes by time across all objects
create index performance_sample_sampled_at on performance_sample using brin (sampled_at);
