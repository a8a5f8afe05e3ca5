-- Issue 18, point 3: scrubs of a pool. The desired state carries the pool's current scrub
-- request (scrub_request_id, at scrub_rate_mbps): the agent and engine run each id once
-- (level-triggered). A request is made on demand (POST /api/v1/pools/{id}/scrub) or by the
-- scheduler every scrub_every_days (null: no schedule) after the last one.
alter table pool add column scrub_every_days integer check (scrub_every_days between 1 and 365);
alter table pool add column scrub_rate_mbps integer not null default 0
  check (scrub_rate_mbps between 0 and 10000);
alter table pool add column scrub_request_id uuid;
alter table pool add column scrub_requested_at timestamptz;
create index pool_scrub_due on pool (scrub_requested_at) where scrub_every_days is not null;
