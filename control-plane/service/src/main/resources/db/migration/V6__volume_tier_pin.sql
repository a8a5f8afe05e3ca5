-- Tier pins (issue 6, the engine's ArrayLayout volume "tier"): a volume in a pool with tiering
-- may be kept on its SSD or its HDD tier; null leaves placement to the tier mover by heat.
-- V6, not V5: another branch adds V5 for something else; Flyway applies them in order.
alter table volume add column tier_pin text;
alter table volume add constraint volume_tier_pin_check check (tier_pin in ('SSD', 'HDD'));
