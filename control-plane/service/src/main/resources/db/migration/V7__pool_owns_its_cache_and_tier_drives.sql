-- Drive ownership (issue 16): a drive used by a pool as a member, its flash cache or its SSD
-- tier belongs to that pool. Before, only members carried the pool; the agent took cache and
-- tier SSDs from the array's SSDs "in no pool", which the control plane also handed to the next
-- pool, so a new pool could relabel the cache and tier of an existing one.
alter table array_drive add column role varchar(8) check (role in ('MEMBER', 'CACHE', 'TIER'));
update array_drive set role = 'MEMBER' where pool_id is not null;

-- Existing pools with a cache or a tier get the SSDs the agent has been using for them: the
-- array's SSDs in no pool on the engine's node, largest first then by drive id, pools in id
-- order, each pool its cache SSD first and then its tier SSD (agent LayoutPlanner.planPools).
do $$
declare
  p record;
  wanted varchar(8);
  picked uuid;
begin
  for p in
    select pl.id, pl.array_id, pl.cache_mode, pl.tiering, a.node_id
      from pool pl join storage_array a on a.id = pl.array_id
     where pl.drive_type = 'HDD' and (pl.cache_mode <> 'NONE' or pl.tiering)
     order by pl.id
  loop
    foreach wanted in array array['CACHE', 'TIER'] loop
      continue when (wanted = 'CACHE' and p.cache_mode = 'NONE') or (wanted = 'TIER' and not p.tiering);
      select ad.id into picked
        from array_drive ad join drive d on d.id = ad.drive_id
       where ad.array_id = p.array_id and ad.pool_id is null and d.type = 'SSD' and d.node_id = p.node_id
       order by d.capacity_gib desc, d.id limit 1;
      if found then
        update array_drive set pool_id = p.id, role = wanted where id = picked;
      end if;
    end loop;
  end loop;
end $$;

alter table array_drive add constraint array_drive_role_iff_pool check ((pool_id is null) = (role is null));
-- a pool has at most one flash cache drive and one tier drive
create unique index array_drive_one_cache_one_tier on array_drive (pool_id, role) where role in ('CACHE', 'TIER');
