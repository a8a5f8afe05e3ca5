package io.strata.controlplane.rest.dto;

import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.VolumeState;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Instant;
import java.util.UUID;

public final class VolumeDtos {
  private VolumeDtos() {}

  public record VolumeCreate(
      @NotNull UUID poolId,
      @NotNull @Pattern(regexp = Names.NAME, message = Names.NAME_MESSAGE) String name,
      @NotNull @Min(1) @Max(1048576) Long sizeGib,
      Boolean thin,
      @Positive Integer qosIopsLimit,
      @Positive Integer qosMbpsLimit,
      Boolean multiAttach,
      DriveType tierPin,
      /* encrypted at rest with a data key wrapped by the tenant's KEK (docs/encryption.md); absent: false */
      Boolean encrypted) {

    /** The same request without a tier pin. */
    public VolumeCreate(UUID poolId, String name, Long sizeGib, Boolean thin, Integer qosIopsLimit,
        Integer qosMbpsLimit, Boolean multiAttach) {
      this(poolId, name, sizeGib, thin, qosIopsLimit, qosMbpsLimit, multiAttach, null, null);
    }
  }

  /** What a volume update does to its tier pin: pin to SSD or HDD, or {@code NONE} to unpin. */
  public enum TierPinChange {
    SSD,
    HDD,
    NONE
  }

  /**
   * A partial update: absent fields stay; a QoS limit of 0 removes that limit; a {@code tierPin}
   * of {@code NONE} removes the pin.
   */
  public record VolumeUpdate(
      @Min(1) @Max(1048576) Long sizeGib,
      @PositiveOrZero Integer qosIopsLimit,
      @PositiveOrZero Integer qosMbpsLimit,
      TierPinChange tierPin) {

    public VolumeUpdate(Long sizeGib, Integer qosIopsLimit, Integer qosMbpsLimit) {
      this(sizeGib, qosIopsLimit, qosMbpsLimit, null);
    }
  }

  /**
   * Roll the volume back to one of its snapshots. An attached volume is refused unless
   * {@code force} is true: the servers' file systems would see their blocks change underneath
   * them (unmount first, or accept that risk explicitly).
   */
  public record VolumeRollback(@NotNull UUID snapshotId, Boolean force) {}

  public record VolumeView(
      UUID id,
      UUID arrayId,
      UUID poolId,
      String name,
      long sizeGib,
      boolean thin,
      Integer qosIopsLimit,
      Integer qosMbpsLimit,
      boolean multiAttach,
      DriveType tierPin,
      UUID sourceSnapshotId,
      VolumeState state,
      String failureReason,
      Instant createdAt,
      Instant updatedAt,
      /* in the recycle bin since (null when not RECYCLED) */
      Instant recycledAt,
      /* purged from the recycle bin, data released, at (null when not RECYCLED) */
      Instant purgeAt,
      /* its move to another pool while MOVING (or still finishing after a failure); null otherwise */
      MoveView move,
      /* encrypted at rest (docs/encryption.md) */
      boolean encrypted,
      /* an encrypted volume's key as its engine last reported it: ACTIVE, KMS_UNREACHABLE, REVOKED
         or FAILED (then keyStateReason says why); null for a plain volume or before a report */
      String keyState,
      String keyStateReason) {}

  /** Move the volume to another pool of its array, online (POST /api/v1/volumes/{id}/move). */
  public record VolumeMove(@NotNull UUID poolId) {}

  /**
   * A volume's move to another pool: from where, to where (its {@code poolId}), how far the
   * engine's copy is (percent of the volume's 1 MiB extents copied, 0 until the engine reports),
   * why the copy stopped if it did (the engine resumes it at its next reload or restart), since
   * when it runs. The move's Operation completes when the engine reports it done.
   * {@code cancelling}: the move is the cancel of a move (POST .../move/cancel), taking the volume
   * back from the pool it was moving to ({@code fromPoolId}) to the one it came from
   * ({@code toPoolId}); false for a move asked for.
   */
  public record MoveView(
      UUID fromPoolId, UUID toPoolId, int progressPercent, long copiedExtents, long totalExtents,
      String stoppedReason, Instant startedAt, boolean cancelling) {}

  /**
   * Restore a volume from the recycle bin. {@code name} (optional) renames it on the way out, for
   * when a new volume took its name meanwhile.
   */
  public record VolumeRestore(
      @Pattern(regexp = Names.NAME, message = Names.NAME_MESSAGE) String name) {}
}
