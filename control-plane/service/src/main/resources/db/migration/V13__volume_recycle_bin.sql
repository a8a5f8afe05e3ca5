-- The recycle bin (issue 18, point 4): deleting an AVAILABLE volume puts it in the bin
-- (state RECYCLED) instead of removing its data. It stays in the array's desired state, unmapped
-- (it has no attachments), until the tenant restores it or purge_at passes and the purge job
-- deletes it as before (DELETING, then DELETED when the node confirms).
alter table volume drop constraint volume_state_check;
alter table volume add constraint volume_state_check
  check (state in ('CREATING', 'AVAILABLE', 'RESIZING', 'ROLLING_BACK', 'RECYCLED', 'DELETING', 'DELETED',
                   'FAILED'));

alter table volume
  add column recycled_at timestamptz,
  add column purge_at    timestamptz;

-- both set while the volume is in the bin (set on the way in, cleared on restore)
alter table volume add constraint volume_recycled_whole check ((recycled_at is null) = (purge_at is null));

-- A volume in the bin gives its name back: a new volume may take it (a restore then asks for
-- another name, see VolumeService.restore).
drop index volume_name_per_array;
create unique index volume_name_per_array on volume (array_id, name) where state not in ('DELETED', 'RECYCLED');

-- what the purge job looks for
create index volume_purge_due on volume (purge_at) where state = 'RECYCLED';
