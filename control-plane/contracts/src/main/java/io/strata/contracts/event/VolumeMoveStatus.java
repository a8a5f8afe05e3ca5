package io.strata.contracts.event;

/**
 * How far the online move of one volume to another pool of its array is (issue 18), as the
 * array's engine reports it in {@link ArrayStatus#moves()}. The engine copies the volume's
 * extents (of 1 MiB) in order while it serves I/O, switches to the new copy once all are copied,
 * then deletes the old one. Added within version 1.
 *
 * @param volumeId the volume (its control-plane id)
 * @param fromPoolId the pool it moves from
 * @param toPoolId the pool it moves to (its pool in the desired state)
 * @param copiedExtents extents copied so far
 * @param totalExtents extents the volume has; 0 when the engine found the move already done
 *     (it restarted after the old copy was deleted) and no longer knows
 * @param state where the move is
 * @param reason why it stopped, for {@link State#STOPPED}
 */
public record VolumeMoveStatus(
    String volumeId, String fromPoolId, String toPoolId, long copiedExtents, long totalExtents, State state,
    String reason) {

  public enum State {
    /** Extents are being copied (or the copy just switched and the old copy is being deleted). */
    COPYING,
    /** The volume is served from its new pool only; its copy in the old pool is gone. */
    DONE,
    /**
     * The copy stopped on an error (reason); the engine resumes it from its checkpoint at its
     * next reload or restart. The volume keeps serving from the old pool meanwhile.
     */
    STOPPED
  }

  /** Percent of the extents copied, 0..100 (100 when done). */
  public int percent() {
    if (state == State.DONE) {
      return 100;
    }
    return totalExtents <= 0 ? 0 : (int) Math.min(100, copiedExtents * 100 / totalExtents);
  }
}
