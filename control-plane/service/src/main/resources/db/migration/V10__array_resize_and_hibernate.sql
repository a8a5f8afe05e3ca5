-- Issue 18, item 2: engine resize and hibernation. An array may be RESIZING (its engine restarts
-- or switches over at the new size), HIBERNATING (its engines stopping), HIBERNATED (no engine,
-- drives and data kept, its vCPU and memory free on the node) or RESUMING (its engines starting).
-- The state's column check (named by PostgreSQL) is found by what it says, not by its name.
do $$
declare c text;
begin
  for c in select conname from pg_constraint
           where conrelid = 'storage_array'::regclass and contype = 'c'
             and pg_get_constraintdef(oid) like '%DEGRADED%' and pg_get_constraintdef(oid) not like '%node_id%'
  loop
    execute format('alter table storage_array drop constraint %I', c);
  end loop;
end $$;
alter table storage_array add constraint storage_array_state_check
  check (state in ('REQUESTED', 'PLACING', 'PROVISIONING', 'ONLINE', 'DEGRADED', 'RESIZING', 'HIBERNATING',
                   'HIBERNATED', 'RESUMING', 'DELETING', 'DELETED', 'FAILED'));

-- The engine size each engine of a highly available array runs at, as its node reported it: a
-- resize switches over to the standby once that one runs at the new size.
alter table array_engine add column reported_engine_size varchar(8);
