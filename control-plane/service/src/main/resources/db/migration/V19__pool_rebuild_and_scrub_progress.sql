-- Issues 18 (point 3) and 19 (point 1): what each pool's engine last reported of its background
-- work, for GET /api/v1/pools/{id} and the scrub-unrepairable alert. One row per pool, written by
-- the node reports (ArrayStatus.pools) and kept apart from the pool row so that reports every few
-- seconds during a rebuild or scrub neither bump the pool's version (its ETag) nor wait on its lock.
create table pool_activity (
  pool_id uuid primary key references pool (id) on delete cascade,
  -- the rebuild or member copy running now; all null when none runs
  rebuild_kind text check (rebuild_kind in ('REBUILD', 'COPY')),
  rebuild_member integer,
  rebuild_drive_id text,
  rebuild_bytes_done bigint,
  rebuild_bytes_total bigint,
  -- the running or last scrub; all null until the pool's engine reports one
  scrub_request_id text,
  scrub_state text,
  scrub_rows_done bigint,
  scrub_rows bigint,
  scrub_mismatched_blocks bigint,
  scrub_repaired_blocks bigint,
  scrub_unrepairable_blocks bigint,
  scrub_skipped_rows bigint,
  scrub_started_at timestamptz,
  scrub_finished_at timestamptz,
  scrub_error text,
  reported_at timestamptz not null
);
-- the alert evaluation asks for these every cycle
create index pool_activity_unrepairable on pool_activity (pool_id) where scrub_unrepairable_blocks > 0;
