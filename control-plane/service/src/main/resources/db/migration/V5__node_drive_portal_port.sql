-- Each node lends the drives of arrays whose engine runs elsewhere through its drive export
-- service (iSCSI, one target per drive). The agent reports the service's port when it enrolls;
-- 0: the node exports no drives (an agent from before drive exports).
alter table node add column drive_portal_port integer not null default 0
  check (drive_portal_port between 0 and 65535);
