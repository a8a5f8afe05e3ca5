-- Issue 20 (replicas, docs/replicas.md U1): the generation of an array's desired state comes from
-- one clock, not from the JVM of whichever control-plane replica wrote the outbox row. Every
-- change takes the next generation of its array under the array's row lock:
--   desired_generation = greatest(PostgreSQL's clock in microseconds, desired_generation + 1)
-- so generations rise in commit order per array, and stay microseconds since the epoch (what the
-- agents have seen so far). The relay also raises it to any generation it sends (a row written
-- by an older release carries none and is named by its created_at, as before).
alter table storage_array add column desired_generation bigint not null default 0;
alter table outbox_message add column generation bigint;

-- start above every generation already sent: the newest row of each array, in microseconds
update storage_array a
   set desired_generation = m.generation
  from (select subject, max(floor(extract(epoch from created_at) * 1000000)::bigint) as generation
          from outbox_message
         where subject like 'array/%'
         group by subject) m
 where m.subject = 'array/' || a.id::text;
