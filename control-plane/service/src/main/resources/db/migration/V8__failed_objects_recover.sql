-- FAILED is not a dead end (issue 16): an object remembers the state it failed from, so that it
-- can go back when its cause is gone (the node reports it serving again, or an operator or the
-- tenant retries), and a failed removal (DELETING, DETACHING) is finished rather than undone.
-- Set while the object is FAILED, null otherwise (and null for rows that failed before).
alter table storage_array add column failed_from varchar(16);
alter table volume add column failed_from varchar(16);
alter table snapshot add column failed_from varchar(16);
alter table attachment add column failed_from varchar(16);

-- An attachment that failed while attaching or attached stays in the desired state (the engine
-- re-exports it once it can), so it keeps its LUN: the rules of V1 and V3 cover it too. One that
-- failed while detaching, or before this column existed, holds nothing.
drop index attachment_once_per_server;
create unique index attachment_once_per_server on attachment (volume_id, server_id)
  where state in ('ATTACHING', 'ATTACHED', 'DETACHING')
     or (state = 'FAILED' and failed_from in ('ATTACHING', 'ATTACHED'));
drop index attachment_lun_per_server;
create unique index attachment_lun_per_server on attachment (array_id, server_id, lun)
  where state in ('ATTACHING', 'ATTACHED', 'DETACHING')
     or (state = 'FAILED' and failed_from in ('ATTACHING', 'ATTACHED'));
alter table attachment drop constraint attachment_lun_one_volume_per_array;
alter table attachment add constraint attachment_lun_one_volume_per_array
  exclude using gist (array_id with =, lun with =, volume_id with <>)
  where (state in ('ATTACHING', 'ATTACHED', 'DETACHING')
      or (state = 'FAILED' and failed_from in ('ATTACHING', 'ATTACHED')));
alter table attachment drop constraint attachment_one_lun_per_volume;
alter table attachment add constraint attachment_one_lun_per_volume
  exclude using gist (volume_id with =, lun with <>)
  where (state in ('ATTACHING', 'ATTACHED', 'DETACHING')
      or (state = 'FAILED' and failed_from in ('ATTACHING', 'ATTACHED')));
