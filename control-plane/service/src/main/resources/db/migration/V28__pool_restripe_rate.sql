-- The most pool data a RAID-5/6 pool's restripe onto added drives moves per second, MiB/s, as the
-- tenant sets it (issue 18); 0: no limit (as before). Sent in the desired state, where the engine
-- applies a change to a running restripe.
alter table pool add column restripe_rate_mbps integer not null default 0
  check (restripe_rate_mbps between 0 and 10000);
