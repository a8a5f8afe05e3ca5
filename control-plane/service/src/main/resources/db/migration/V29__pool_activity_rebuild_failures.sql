-- A RAID-5/6 restripe whose attempts stop on an error is tried again by the engine after a pause
-- (issue 18): the attempts stopped in a row and the last one's error, as the engine reports them,
-- so that the tenant sees a restripe that is stuck rather than slow. Null: none stopped (and from
-- agents before the fields).
alter table pool_activity add column rebuild_failed_attempts integer;
alter table pool_activity add column rebuild_error text;
