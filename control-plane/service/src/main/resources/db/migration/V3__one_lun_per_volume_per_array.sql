-- The engine has one LUN map per target (one per array), masked per initiator. So a volume has
-- one LUN number on its array, whichever servers see it (multi-attach), and two volumes of one
-- array never share a number. Both rules hold over the attachments that hold a LUN (the same
-- states as attachment_once_per_server). btree_gist gives GiST the plain equality of uuid and
-- integer that these exclusion constraints compare with; it is a trusted extension (PostgreSQL
-- 13+), so the database's owner may create it.
create extension if not exists btree_gist;

alter table attachment add constraint attachment_lun_one_volume_per_array
  exclude using gist (array_id with =, lun with =, volume_id with <>)
  where (state in ('ATTACHING', 'ATTACHED', 'DETACHING'));

alter table attachment add constraint attachment_one_lun_per_volume
  exclude using gist (volume_id with =, lun with <>)
  where (state in ('ATTACHING', 'ATTACHED', 'DETACHING'));
