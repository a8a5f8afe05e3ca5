-- Issue 20 (replicas, docs/replicas.md U3): two engines never share a node's portal port. Two
-- control-plane replicas relocating two standbys at once could both pick the same free port on
-- the same node (the choice reads committed rows); the later transaction now fails on this index
-- and the next supervisor round places it again (StandbyRelocation also takes a placement lock).
create unique index array_engine_portal_per_node on array_engine (node_id, portal_port);
