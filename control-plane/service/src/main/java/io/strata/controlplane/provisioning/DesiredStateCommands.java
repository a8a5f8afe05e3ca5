package io.strata.controlplane.provisioning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.strata.contracts.Envelope;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.Commands;
import io.strata.controlplane.domain.OutboxMessage;
import io.strata.controlplane.outbox.ArrayDesiredState.DriveSpec;
import io.strata.controlplane.outbox.ArrayDesiredState.VolumeSpec;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * Turns the control plane's own record of an array's desired state into the command the agents
 * read. The envelope id is the id of the newest outbox row it answers, so a command published
 * twice (a crash between send and commit) is one command to the agent, acknowledged again, not
 * re-applied; the generation is the one that row took from its array's {@code desired_generation}
 * (PostgreSQL's clock, rising per array in commit order: CommandOutbox.nextGeneration), so a later
 * change always wins, whichever replica wrote it.
 */
final class DesiredStateCommands {

  private DesiredStateCommands() {}

  /**
   * Reads rows stored by this service, perhaps by another release. Not the service's own mapper:
   * its strictness (StrictJson: unknown fields, nulls for primitives, no coercion) is for
   * requests, and a row written before an upgrade must never become unreadable and stop the relay.
   */
  private static final ObjectReader STORED = JsonMapper.builder().findAndAddModules()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build()
      .readerFor(io.strata.controlplane.outbox.ArrayDesiredState.class);

  /** The command of a row that carries its whole desired state. */
  static Envelope envelope(OutboxMessage row, String nodeName, ObjectMapper json) {
    io.strata.controlplane.outbox.ArrayDesiredState stored;
    try {
      stored = STORED.readValue(row.payload);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("outbox row " + row.id + " holds no desired state: " + e.getMessage(), e);
    }
    return envelope(row, stored, nodeName, json);
  }

  /**
   * The command carrying {@code state}, named after {@code row}: the newest row it answers (its
   * id is the envelope id, its generation the command's).
   */
  static Envelope envelope(OutboxMessage row, io.strata.controlplane.outbox.ArrayDesiredState state, String nodeName,
      ObjectMapper json) {
    long generation = generation(row);
    ArrayDesiredState command = translate(state, nodeName, generation);
    return new Envelope(Envelope.SPEC_VERSION, row.id.toString(), Commands.ARRAY_DESIRED_STATE.type(),
        Commands.ARRAY_DESIRED_STATE.currentVersion(), "control-plane", generation, row.createdAt,
        Commands.arraySubject(state.arrayId().toString()), json.valueToTree(command));
  }

  /**
   * The generation a row names: the one taken from the array's {@code desired_generation} when
   * it was written, or, for a row written by a release before that, its creation time in
   * microseconds (what every generation was then).
   */
  static long generation(OutboxMessage row) {
    return row.generation != null ? row.generation : ChronoUnit.MICROS.between(java.time.Instant.EPOCH, row.createdAt);
  }

  /**
   * The command for node {@code nodeName}. Every node of the array gets the same state: the
   * engine's node runs the engine on it, the others export to it the drives listed as theirs.
   */
  static ArrayDesiredState translate(io.strata.controlplane.outbox.ArrayDesiredState s, String nodeName, long generation) {
    boolean present = s.present();
    return new ArrayDesiredState(
        s.arrayId().toString(), nodeName, s.tenant(), generation, present,
        present ? new ArrayDesiredState.EngineSpec(s.engineSize(), s.vcpus(), s.memoryGib() * 1024) : null,
        s.portalPort(), s.targetIqn(),
        s.drives().stream().map(DesiredStateCommands::drive).toList(),
        s.pools().stream().map(p -> new ArrayDesiredState.PoolSpec(p.poolId().toString(), p.name(),
            DriveType.valueOf(p.driveType()), p.protection(), p.cacheMode(), p.tiering(), p.capacityGib(),
            scrub(p), p.restripeRateMbps())).toList(),
        s.volumes().stream().map(DesiredStateCommands::volume).toList(),
        s.servers().stream().map(x -> new ArrayDesiredState.ServerSpec(x.serverId().toString(), x.iqn(), x.chapUser(),
            x.chapSecretSealed(), x.mutualChapUser(), x.mutualChapSecretSealed())).toList(),
        s.luns().stream().map(l -> new ArrayDesiredState.LunSpec(l.attachmentId().toString(), l.volumeId().toString(),
            l.serverId().toString(), l.lun(), l.readOnly())).toList(),
        s.engineNodeName(), ha(s.ha()), s.hibernated());
  }

  /** The pool's scrub request, or null when none was ever made. */
  static ArrayDesiredState.ScrubSpec scrub(io.strata.controlplane.outbox.ArrayDesiredState.PoolSpec p) {
    return p.scrubRequestId() == null ? null
        : new ArrayDesiredState.ScrubSpec(p.scrubRequestId().toString(),
            p.scrubRateMbps() == null ? 0 : p.scrubRateMbps());
  }

  /** The HA part of the command: the same for every node of the array. */
  static ArrayDesiredState.HaSpec ha(io.strata.controlplane.outbox.ArrayDesiredState.Ha ha) {
    if (ha == null) {
      return null;
    }
    return new ArrayDesiredState.HaSpec(ha.epoch(),
        ha.engines().stream()
            .map(e -> new ArrayDesiredState.EngineSlot(e.nodeName(), ArrayDesiredState.Role.valueOf(e.role()),
                e.address(), e.portalPort(), e.portGroup()))
            .toList(),
        ha.outdatedNodeNames());
  }

  /**
   * The nodes a coalesced "array changed" command goes to, each once: the engine's node first,
   * then the nodes holding the array's drives, then any other node a row names (one whose drive
   * left the array, so that it stops exporting it; one that asked for its state).
   */
  static List<UUID> targets(io.strata.controlplane.outbox.ArrayDesiredState state, List<UUID> rowNodes) {
    // nodeIds already lists the engine's node first, then the drives' nodes
    java.util.LinkedHashSet<UUID> targets = new java.util.LinkedHashSet<>(state.nodeIds());
    rowNodes.stream().filter(java.util.Objects::nonNull).forEach(targets::add);
    return List.copyOf(targets);
  }

  /**
   * A clone names the snapshot it shares extents with. The last rollback travels for as long as
   * its snapshot is in the desired state: the agent applies a request id once, and a snapshot
   * cannot be deleted while a rollback to it runs, so once the snapshot is gone the request was
   * applied (or failed) and there is nothing left to roll back to.
   */
  static ArrayDesiredState.VolumeSpec volume(VolumeSpec v) {
    List<ArrayDesiredState.SnapshotSpec> snapshots =
        v.snapshots().stream().map(x -> new ArrayDesiredState.SnapshotSpec(x.snapshotId().toString(), x.name())).toList();
    ArrayDesiredState.RollbackSpec rollback = null;
    if (v.rollbackRequestId() != null
        && v.snapshots().stream().anyMatch(x -> x.snapshotId().equals(v.rollbackSnapshotId()))) {
      rollback = new ArrayDesiredState.RollbackSpec(v.rollbackRequestId().toString(), v.rollbackSnapshotId().toString());
    }
    return new ArrayDesiredState.VolumeSpec(v.volumeId().toString(), v.poolId().toString(), v.name(), v.sizeGib(),
        v.thin(), v.qosIopsLimit(), v.qosMbpsLimit(), snapshots,
        v.sourceSnapshotId() == null ? null : v.sourceSnapshotId().toString(), rollback,
        v.tierPin() == null ? null : DriveType.valueOf(v.tierPin()), v.recycled(),
        v.moveFromPoolId() == null ? null : v.moveFromPoolId().toString(), v.kekId());
  }

  private static ArrayDesiredState.DriveSpec drive(DriveSpec d) {
    return new ArrayDesiredState.DriveSpec(d.driveId().toString(), d.serial(), DriveType.valueOf(d.type()),
        d.capacityGib(), d.poolId() == null ? null : d.poolId().toString(), d.nodeName(), d.exportPortal(),
        d.role() == null ? null : ArrayDesiredState.DriveRole.valueOf(d.role()));
  }

  static UUID uuid(String text) {
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException | NullPointerException e) {
      return null;
    }
  }
}
