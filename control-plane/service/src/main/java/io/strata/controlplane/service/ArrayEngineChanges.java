package io.strata.controlplane.service;

import io.strata.controlplane.domain.ArrayEngine;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.EngineSize;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.rest.ETags;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.scheduler.NodeView;
import io.strata.controlplane.scheduler.PlacementException;
import io.strata.controlplane.scheduler.PlacementRequest;
import io.strata.controlplane.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Day-2 changes of an array's engine (issue 18): a new engine size, hibernation and resumption.
 * Each checks the engine nodes' room as placement does (a refusal is a 409 naming the short
 * resource), moves the array's state machine and writes the desired state to the outbox in one
 * transaction; the node's report ends the transition, and the watchdog fails a transition left
 * without one (FAILED heals when the node reports, or by a retry).
 *
 * <p>Resize: a single-engine array's engine restarts at the new size (its sessions drop for the
 * restart: the pause is documented in docs/provisioning.md). A highly available array's standby
 * restarts first, the active keeps serving; once the standby reports serving at the new size the
 * supervisor switches over to it (HighAvailability), and the old active restarts as standby.
 * Hibernate: the engines stop (initiators are asked to log out first), their vCPU and memory are
 * free for others, the drives, data and the array's portal stay its own. Resume: the engines start
 * again on the same nodes, if those have room.
 */
@ApplicationScoped
@Transactional
public class ArrayEngineChanges {
  /** States whose engine size may be changed: a running array restarts, a hibernated one just takes it. */
  private static final Set<ArrayState> RESIZABLE = Set.of(ArrayState.ONLINE, ArrayState.DEGRADED, ArrayState.HIBERNATED);

  @Inject NodeInventory inventory;
  @Inject CommandOutbox outbox;
  @Inject Operations operations;
  @Inject AuditLog audit;

  private final Scheduler scheduler = Scheduler.standard();

  /** What a change did: the array now, and the operation to follow (null when nothing changed). */
  public record Changed(StorageArray array, UUID operationId) {}

  public Changed resize(UUID tenantId, UUID arrayId, EngineSize size, String ifMatch) {
    StorageArray a = Owned.lock(StorageArray.class, "array", tenantId, arrayId);
    if (ifMatch != null) {
      ETags.check(ifMatch, a.version);
    }
    if (size == a.engineSize) {
      return new Changed(a, null);
    }
    if (!RESIZABLE.contains(a.state)) {
      throw ApiException.conflictOnField("illegal-state", "engineSize",
          "the engine size can be changed while the array is ONLINE, DEGRADED or HIBERNATED; it is " + a.state);
    }
    if (a.state != ArrayState.HIBERNATED) {
      requireRoom(a, size, a.engineSize);
      a.engineSize = size;
      a.moveTo(ArrayState.RESIZING, "engine resized to " + size);
    } else {
      a.engineSize = size; // taken at resume, whose placement check counts it
      a.updatedAt = Instant.now();
    }
    outbox.arrayChanged(a);
    UUID op = operations.start(tenantId, "array.resize", "array", a.id).id;
    audit.record(tenantId, "array.resize", "array", a.id);
    if (a.state == ArrayState.HIBERNATED) {
      operations.complete(a.id, true, null); // nothing runs: the new size is the array's at once
    }
    return new Changed(a, op);
  }

  public Changed hibernate(UUID tenantId, UUID arrayId) {
    StorageArray a = Owned.lock(StorageArray.class, "array", tenantId, arrayId);
    if (a.state == ArrayState.HIBERNATING || a.state == ArrayState.HIBERNATED) {
      return new Changed(a, null);
    }
    if (a.state != ArrayState.ONLINE && a.state != ArrayState.DEGRADED) {
      throw ApiException.conflict("illegal-state",
          "an array can be hibernated while it is ONLINE or DEGRADED; it is " + a.state);
    }
    a.switchoverStartedAt = null;
    a.moveTo(ArrayState.HIBERNATING, "hibernate requested");
    outbox.arrayChanged(a);
    UUID op = operations.start(tenantId, "array.hibernate", "array", a.id).id;
    audit.record(tenantId, "array.hibernate", "array", a.id);
    return new Changed(a, op);
  }

  public Changed resume(UUID tenantId, UUID arrayId) {
    StorageArray a = Owned.lock(StorageArray.class, "array", tenantId, arrayId);
    if (a.state == ArrayState.RESUMING) {
      return new Changed(a, null);
    }
    if (a.state != ArrayState.HIBERNATED) {
      throw ApiException.conflict("illegal-state", "only a HIBERNATED array can be resumed; it is " + a.state);
    }
    requireRoom(a, a.engineSize, null);
    a.moveTo(ArrayState.RESUMING, "resume requested");
    outbox.arrayChanged(a);
    UUID op = operations.start(tenantId, "array.resume", "array", a.id).id;
    audit.record(tenantId, "array.resume", "array", a.id);
    return new Changed(a, op);
  }

  /**
   * Every engine node of the array must have room for an engine of {@code size}, counting the
   * share of the engine it holds now ({@code holding}, null when it holds none) as free.
   */
  private void requireRoom(StorageArray a, EngineSize size, EngineSize holding) {
    List<NodeView> nodes = inventory.lockedViews();
    PlacementRequest request = new PlacementRequest(size, a.spread, Map.of());
    for (UUID nodeId : engineNodes(a)) {
      NodeView node = nodes.stream().filter(n -> n.id().equals(nodeId)).findFirst()
          .orElseThrow(() -> new PlacementException("node", "the array's node " + nodeId + " is decommissioned"));
      NodeView room = holding == null ? node : node.releasing(holding.vcpus(), holding.memoryGib());
      scheduler.requireRoom(room, request);
    }
  }

  private static List<UUID> engineNodes(StorageArray a) {
    return a.highAvailability
        ? ArrayEngine.of(a.tenantId, a.id).stream().map(e -> e.nodeId).toList()
        : List.of(a.nodeId);
  }
}
