-- A pool's default for its volumes' encryption at rest (issue 22, docs/encryption.md): a volume
-- created in it without saying "encrypted" is encrypted when this is true.
alter table pool add column encrypted boolean not null default false;
