-- Issue 20 (replicas, docs/replicas.md N2): the time of the last alert evaluation, whichever
-- replica made it. A round whose "now" is older (a replica that read its clock, then waited for the
-- lock while another evaluated) is skipped instead of undoing the newer round's findings.
create table alert_evaluation (
  id       smallint    primary key check (id = 1),
  last_at  timestamptz not null
);
