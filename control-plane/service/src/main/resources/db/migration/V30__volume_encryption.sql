-- Encryption at rest with tenant-held keys (issue 22, docs/encryption.md). A tenant's
-- key-encryption key (KEK) lives in the KMS; Strata keeps only its unique identifier there, made
-- with the tenant's first encrypted volume. An encrypted volume carries the KEK id its data key is
-- wrapped by (the engine makes the data key and keeps it wrapped in the pool's metadata; no key
-- material is ever stored here) and the key state its engine last reported.
alter table tenant add column kek_id text;
alter table volume add column encrypted boolean not null default false;
alter table volume add column kek_id text;
alter table volume add column key_state text;
alter table volume add column key_state_reason text;
alter table volume add constraint volume_encrypted_has_kek check (not encrypted or kek_id is not null);
