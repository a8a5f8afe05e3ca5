-- A RAID-5/6 pool restriping onto added drives reports its progress like a rebuild (issue 18):
-- kind RESTRIPE beside REBUILD and COPY.
alter table pool_activity drop constraint if exists pool_activity_rebuild_kind_check;
alter table pool_activity add constraint pool_activity_rebuild_kind_check
  check (rebuild_kind in ('REBUILD', 'COPY', 'RESTRIPE'));
