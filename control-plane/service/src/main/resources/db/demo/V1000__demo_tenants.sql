-- Demo tenants matching the demo users of the Keycloak realm in infra/ (acme-admin, globex-admin, ...).
-- Loaded only where quarkus.flyway.locations includes db/demo (dev, test and the local stack).
insert into tenant (id, alias, display_name, state, created_at)
values ('a0000000-0000-4000-8000-000000000001', 'acme', 'Acme Corporation', 'ACTIVE', now()),
       ('a0000000-0000-4000-8000-000000000002', 'globex', 'Globex Corporation', 'ACTIVE', now());
insert into quota (tenant_id, max_arrays, max_ssd_drives, max_hdd_drives, max_capacity_gib)
values ('a0000000-0000-4000-8000-000000000001', 10, 40, 40, 1048576),
       ('a0000000-0000-4000-8000-000000000002', 10, 40, 40, 1048576);
