-- Cancelling a volume move (issue 18): POST /api/v1/volumes/{id}/move/cancel swaps pool_id and
-- move_from_pool_id, so the desired state asks the engine to move the volume back to the pool it
-- came from, and marks the move as a cancel. The mark is what refuses a second cancel (409
-- move-cancelling), what GET shows as move.cancelling, and which Operation the engine's DONE
-- completes (volume.move-cancel rather than volume.move). It is cleared with the move.
alter table volume
  add column move_cancelling boolean not null default false;

-- only a move can be a cancel
alter table volume add constraint volume_move_cancelling_is_a_move
  check (not move_cancelling or move_from_pool_id is not null);
