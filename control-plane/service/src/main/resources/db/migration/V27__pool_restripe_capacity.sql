-- A RAID-5/6 pool grown onto more drives keeps the capacity it had for its volumes until its
-- engine reports the restripe onto them done (issue 18). capacity_gib stays the capacity with
-- every member (what the engine is told and the restripe's target); restriping_from_gib is what
-- volumes may use meanwhile (null: no restripe pending), restripe_generation the desired-state
-- generation from which the engine has the new drives (a report of an older one says nothing).
alter table pool add column restriping_from_gib bigint;
alter table pool add column restripe_generation bigint;
