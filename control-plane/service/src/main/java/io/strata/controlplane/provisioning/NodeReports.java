package io.strata.controlplane.provisioning;

import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.NodeEnrolled;
import io.strata.contracts.event.NodeHeartbeat;
import io.strata.contracts.event.NodeStateReport;
import io.strata.contracts.event.ObjectStatus;
import io.strata.contracts.event.VolumeMoveStatus;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Attachment;
import io.strata.controlplane.domain.AttachmentState;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.DriveState;
import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.domain.OutboxMessage;
import io.strata.controlplane.domain.Snapshot;
import io.strata.controlplane.domain.SnapshotState;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.service.HighAvailability;
import io.strata.controlplane.service.ProvisioningEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * What the agents report, applied to the domain: nodes and drives enrolled, heartbeats, the
 * arrays' and their objects' state (through {@link ProvisioningEvents}, which moves the state
 * machines and completes Operations), and the answer to a node's full state report: the desired
 * state of every array the node should hold is sent again, and a delete for every array it holds
 * but should not. Every method is idempotent.
 */
@ApplicationScoped
@Transactional
public class NodeReports {

  private static final Logger LOG = Logger.getLogger(NodeReports.class);
  static final Set<ArrayState> ON_NODE =
      Set.of(ArrayState.PROVISIONING, ArrayState.ONLINE, ArrayState.DEGRADED, ArrayState.RESIZING, ArrayState.HIBERNATING,
          ArrayState.HIBERNATED, ArrayState.RESUMING, ArrayState.DELETING, ArrayState.FAILED);

  @Inject ProvisioningEvents events;
  @Inject CommandOutbox outbox;
  @Inject io.strata.controlplane.replicas.DatabaseClock clock;
  @Inject ProvisioningConfig config;
  @Inject HighAvailability highAvailability;
  @Inject io.strata.controlplane.service.PoolGrowth poolGrowth;
  @Inject io.strata.controlplane.service.VolumeMoves moves;
  @Inject io.strata.controlplane.service.PoolActivityReports poolActivity;

  public void enrolled(NodeEnrolled report) {
    Node node = Node.find("name", report.nodeId()).firstResult();
    if (node == null) {
      node = new Node();
      node.id = UUID.randomUUID();
      node.name = report.nodeId();
      node.createdAt = Instant.now();
      node.state = NodeState.ONLINE;
      LOG.infof("node %s enrolled (%s, %d drives)", report.nodeId(), report.address(), report.drives().size());
    } else if (node.state == NodeState.OFFLINE || node.state == NodeState.ENROLLING) {
      node.state = NodeState.ONLINE;
    }
    node.zone = report.zone();
    node.address = report.address();
    node.drivePortalPort = report.drivePortalPort();
    node.cpuCores = Math.max(1, report.cpuCores());
    node.memoryGib = (int) Math.max(1, report.memoryMib() / 1024);
    node.lastHeartbeatAt = clock.now();
    node.persist();
    for (NodeEnrolled.Drive found : report.drives()) {
      Drive drive = Drive.find("serial", found.serial()).firstResult();
      if (drive == null) {
        drive = new Drive();
        drive.id = UUID.randomUUID();
        drive.serial = found.serial();
        drive.nodeId = node.id;
        drive.state = DriveState.AVAILABLE;
        drive.createdAt = Instant.now();
      }
      drive.type = DriveType.valueOf(found.type().name());
      drive.capacityGib = Math.max(1, found.capacityGib());
      drive.persist();
    }
  }

  public void heartbeat(NodeHeartbeat beat) {
    heartbeat(beat, null);
  }

  /**
   * A heartbeat the agent sent at {@code sentAt} (its envelope's time; null: now). The node was
   * alive at the earlier of that and now (PostgreSQL's clock), and the node's last heartbeat only
   * moves forward: a batch of heartbeats read again after a rebalance of the control plane's
   * consumers (replayed, not new) neither makes a node that died since look alive nor brings an
   * OFFLINE node back, which would hold off its arrays' failover.
   */
  public void heartbeat(NodeHeartbeat beat, Instant sentAt) {
    heartbeat(beat, sentAt, null, null);
  }

  /**
   * As above, read from {@code partition} of strata.events (see {@link ReportStream}), having
   * reached Kafka at most {@code appendedWithin} before it was read (null: unknown; see {@link
   * AppendedWithin}): an agent clock running behind then makes it look at most that (or the
   * configured {@code heartbeat-send-bound}) old, not as old as its clock says.
   */
  public void heartbeat(NodeHeartbeat beat, Instant sentAt, Integer partition, java.time.Duration appendedWithin) {
    // The node's row lock, as a drain and an undrain take it: without it a heartbeat that read the
    // node while a drain was changing it failed on the row's version (an ERROR with a stack trace
    // in the log at every drain of a live node, seen walking through a failover by hand).
    Node node = Node.<Node>find("name", beat.nodeId()).withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE)
        .firstResult();
    if (node == null) {
      return; // enrolment comes first; a heartbeat alone carries too little to make a node
    }
    if (partition != null) {
      node.eventsPartition = partition;
    }
    Instant aliveAt = aliveAt(sentAt, clock.now(), appendedWithin, config.heartbeatSendBound());
    if (node.lastHeartbeatAt != null && !aliveAt.isAfter(node.lastHeartbeatAt)) {
      return; // no news: replayed, or overtaken by a later one
    }
    node.lastHeartbeatAt = aliveAt;
    if (node.state == NodeState.OFFLINE) {
      node.state = NodeState.ONLINE;
      LOG.infof("node %s is back", node.name);
    }
  }

  /**
   * When a heartbeat read at {@code readAt} (PostgreSQL's clock) shows its node alive: when the
   * agent says it sent it ({@code sentAt}), never later than its read, and never earlier than its
   * read less the larger of {@code bound} and {@code appendedWithin} (at most how long ago it
   * reached Kafka, measured by the reader). So an agent whose clock runs behind cannot make a
   * node read promptly look dead (its heartbeats count from about their read), while one read
   * late (a replay, a backlog after a pause: a large or unknown {@code appendedWithin}) counts
   * from when it was sent, not as fresh (docs/replicas.md, N4b).
   */
  static Instant aliveAt(Instant sentAt, Instant readAt, java.time.Duration appendedWithin,
      java.time.Duration bound) {
    if (sentAt == null || sentAt.isAfter(readAt)) {
      return readAt;
    }
    if (appendedWithin == null) {
      return sentAt; // how late it is read is unknown: only the agent's word
    }
    Instant earliest = readAt.minus(appendedWithin.compareTo(bound) > 0 ? appendedWithin : bound);
    return sentAt.isBefore(earliest) ? earliest : sentAt;
  }

  public void arrayStatus(ArrayStatus status) {
    UUID arrayId = DesiredStateCommands.uuid(status.arrayId());
    if (arrayId == null) {
      return;
    }
    StorageArray array = StorageArray.findById(arrayId);
    if (array == null) {
      return;
    }
    if (array.highAvailability) {
      // The array's row lock first, as the HA supervisor and a drain take it before they change
      // its engines: a report records itself on an engine row they may be changing, and without
      // the lock one of the two failed on the row's version (a drain answered 409 while reports
      // came in).
      io.quarkus.hibernate.orm.panache.Panache.getEntityManager().refresh(array,
          jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
      // Both engines' nodes report; only the ACTIVE engine of the current epoch speaks for the
      // array and its objects (HighAvailability also answers requests to drop members).
      if (!highAvailability.engineReported(array, status)) {
        LOG.debugf("array %s: status of node %s (%s, epoch %s) recorded, not applied", arrayId, status.nodeId(),
            status.role(), status.haEpoch());
        return;
      }
    } else if (!fromEnginesNode(array, status)) {
      // A node that only lends the array drives reports its exports, not the array: its word
      // (even DELETED, once it dropped them) says nothing about the engine or the objects.
      LOG.debugf("array %s: status of node %s, which only exports drives to it, not applied", arrayId, status.nodeId());
      return;
    }
    if (array.state == ArrayState.RESIZING && !array.engineSize.name().equals(status.engineSize())) {
      // the engine that serves still runs at the old size (or none runs yet): the resize is done
      // only when the engine at the new size reports serving; its objects are taken in as usual
      LOG.debugf("array %s: resizing to %s, its engine reports %s", arrayId, array.engineSize, status.engineSize());
    } else switch (status.state()) {
      case HIBERNATED -> events.arrayReported(arrayId, ArrayState.HIBERNATED, null);
      case ONLINE, DEGRADED -> {
        ArrayState reported = status.state() == ArrayStatus.State.ONLINE ? ArrayState.ONLINE : ArrayState.DEGRADED;
        String reason = reported == ArrayState.ONLINE ? null : status.reason();
        if (array.highAvailability) {
          highAvailability.activeReported(array, reported, reason, Instant.now());
        } else {
          events.arrayReported(arrayId, reported, reason);
        }
      }
      case FAILED -> events.arrayReported(arrayId, ArrayState.FAILED, status.reason());
      case DELETED -> {
        events.arrayReported(arrayId, ArrayState.DELETED, null);
        return;
      }
      case PROVISIONING -> { }
    }
    poolActivity.reported(array, status);
    Map<UUID, ObjectStatus> volumes = new HashMap<>();
    Map<UUID, ObjectStatus> luns = new HashMap<>();
    Map<UUID, ObjectStatus> snapshots = new HashMap<>();
    Map<UUID, ObjectStatus> rollbacks = new HashMap<>();
    for (ObjectStatus o : status.objects()) {
      UUID id = DesiredStateCommands.uuid(o.objectId());
      if (id == null) {
        continue;
      }
      switch (o.kind()) {
        case VOLUME -> volumes.put(id, o);
        case LUN -> luns.put(id, o);
        case SNAPSHOT -> snapshots.put(id, o);
        case ROLLBACK -> rollbacks.put(id, o);
        case POOL -> {
          if (o.state() == ObjectStatus.State.READY || o.state() == ObjectStatus.State.FAILED) {
            poolGrowth.poolReported(id, status.generation(), o.state() == ObjectStatus.State.READY, o.reason());
          }
        }
        default -> { }
      }
    }
    for (Volume v : Volume.<Volume>list("arrayId = ?1 and state <> ?2", arrayId, VolumeState.DELETED)) {
      ObjectStatus o = volumes.get(v.id);
      if (o == null) {
        if (v.state == VolumeState.DELETING || (v.state == VolumeState.FAILED && v.failedWhileRemoved())) {
          events.volumeReported(v.id, VolumeState.DELETED, null);
        }
      } else if (o.state() == ObjectStatus.State.FAILED) {
        events.volumeReported(v.id, VolumeState.FAILED, o.reason());
      } else if (o.state() == ObjectStatus.State.READY && (v.state == VolumeState.CREATING
          || v.state == VolumeState.RESIZING || v.state == VolumeState.FAILED)) {
        // a FAILED volume the engine serves again is AVAILABLE: its cause is gone (issue 16)
        events.volumeReported(v.id, VolumeState.AVAILABLE, null);
      } else if (v.state == VolumeState.ROLLING_BACK) {
        // Only the rollback's own report completes it: the agent reports a request once the
        // engine applied (or refused) it, and leaves it out before, while the volume itself
        // may already read READY at a generation that carries the request.
        ObjectStatus r = v.rollbackRequestId == null ? null : rollbacks.get(v.rollbackRequestId);
        if (r != null && r.state() != ObjectStatus.State.DELETED) {
          events.rollbackReported(v.id, r.state() == ObjectStatus.State.READY, r.reason());
        }
      }
    }
    snapshotsReported(arrayId, snapshots);
    movesReported(array, status);
    keysReported(arrayId, status);
    for (Attachment a : Attachment.<Attachment>list("arrayId = ?1 and state <> ?2", arrayId, AttachmentState.DETACHED)) {
      ObjectStatus o = luns.get(a.id);
      if (o == null) {
        if (a.state == AttachmentState.DETACHING || (a.state == AttachmentState.FAILED && a.failedWhileRemoved())) {
          events.attachmentReported(a.id, AttachmentState.DETACHED, null);
        }
      } else if (o.state() == ObjectStatus.State.FAILED) {
        events.attachmentReported(a.id, AttachmentState.FAILED, o.reason());
      } else if (o.state() == ObjectStatus.State.READY
          && (a.state == AttachmentState.ATTACHING || a.state == AttachmentState.FAILED)) {
        // a FAILED attachment whose LUN the engine exports again is ATTACHED (issue 16)
        events.attachmentReported(a.id, AttachmentState.ATTACHED, null);
      }
    }
  }

  /**
   * The engine's progress on the array's volume moves; a move it reports DONE is dropped from
   * the array's desired state (the engine keeps serving the new pool's copy either way).
   */
  private void movesReported(StorageArray array, ArrayStatus status) {
    boolean finished = false;
    for (VolumeMoveStatus m : status.moves()) {
      UUID volume = DesiredStateCommands.uuid(m.volumeId());
      UUID from = DesiredStateCommands.uuid(m.fromPoolId());
      UUID to = DesiredStateCommands.uuid(m.toPoolId());
      if (volume != null && from != null && to != null) {
        finished |= moves.reported(volume, from, to, m.state().name(), m.copiedExtents(), m.totalExtents(),
            m.reason());
      }
    }
    if (finished) {
      outbox.arrayChanged(array);
    }
  }

  /**
   * The key state of each encrypted volume the engine serves (issue 22): shown on the volume as
   * {@code keyState}. A volume the report does not name keeps what it had (its LUN may not be
   * served right now).
   */
  private void keysReported(UUID arrayId, ArrayStatus status) {
    for (io.strata.contracts.event.VolumeKeyStatus k : status.keys()) {
      UUID id = DesiredStateCommands.uuid(k.volumeId());
      Volume v = id == null ? null : Volume.findById(id);
      if (v != null && v.arrayId.equals(arrayId) && v.encrypted
          && (!k.state().equals(v.keyState) || !java.util.Objects.equals(k.reason(), v.keyStateReason))) {
        v.keyState = k.state();
        v.keyStateReason = k.reason();
      }
    }
  }

  /** Whether {@code status} comes from the node that runs the array's engine. */
  static boolean fromEnginesNode(StorageArray array, ArrayStatus status) {
    if (array.nodeId == null) {
      return false;
    }
    Node engine = Node.findById(array.nodeId);
    return engine != null && engine.name.equals(status.nodeId());
  }

  /**
   * Snapshots being taken (or FAILED, issue 16) become AVAILABLE or FAILED; snapshots being
   * deleted (or whose delete failed), once gone, DELETED.
   */
  private void snapshotsReported(UUID arrayId, Map<UUID, ObjectStatus> reported) {
    List<Snapshot> pending = Snapshot.list(
        "volumeId in (select v.id from Volume v where v.arrayId = ?1) and state in ?2",
        arrayId, List.of(SnapshotState.CREATING, SnapshotState.DELETING, SnapshotState.FAILED));
    for (Snapshot s : pending) {
      ObjectStatus o = reported.get(s.id);
      if (s.state == SnapshotState.DELETING || (s.state == SnapshotState.FAILED && s.failedWhileRemoved())) {
        if (o == null) {
          events.snapshotReported(s.id, SnapshotState.DELETED, null);
        }
      } else if (o != null && o.state() == ObjectStatus.State.READY) {
        events.snapshotReported(s.id, SnapshotState.AVAILABLE, null);
      } else if (o != null && o.state() == ObjectStatus.State.FAILED) {
        events.snapshotReported(s.id, SnapshotState.FAILED, o.reason());
      }
    }
  }

  /** Resends what the node should hold, and deletes what it holds but should not. */
  public int stateReport(NodeStateReport report) {
    Node node = Node.find("name", report.nodeId()).firstResult();
    if (node == null) {
      return 0;
    }
    int sent = 0;
    Set<UUID> wanted = new HashSet<>();
    // The arrays whose engine runs here, and those this node lends drives to (it exports them).
    for (StorageArray a : StorageArray.<StorageArray>list(
        "(nodeId = ?1 or id in (select ad.arrayId from ArrayDrive ad, Drive d where ad.driveId = d.id and d.nodeId = ?1)"
            + " or id in (select e.arrayId from ArrayEngine e where e.nodeId = ?1))"
            + " and state in ?2", node.id, ON_NODE)) {
      wanted.add(a.id);
      outbox.arrayChanged(a, node.id);
      sent++;
    }
    for (ArrayStatus held : report.arrays()) {
      UUID id = DesiredStateCommands.uuid(held.arrayId());
      if (id != null && !wanted.contains(id) && held.state() != ArrayStatus.State.DELETED) {
        deleteUnwanted(node, id);
        sent++;
      }
    }
    LOG.infof("node %s reported %d arrays; %d desired states sent", node.name, report.arrays().size(), sent);
    return sent;
  }

  private void deleteUnwanted(Node node, UUID arrayId) {
    var delete = new io.strata.controlplane.outbox.ArrayDesiredState(arrayId, "unknown", "", false, "E01", 1, 1, null, 0,
        List.of(), List.of(), List.of(), List.of(), List.of(), null, null, List.of(node.id));
    OutboxMessage m = new OutboxMessage();
    m.id = UUID.randomUUID();
    m.type = CommandOutbox.TYPE_ARRAY_DESIRED_STATE;
    m.specVersion = CommandOutbox.SPEC_VERSION;
    m.source = CommandOutbox.SOURCE;
    m.subject = "array/" + arrayId;
    m.nodeId = node.id;
    try {
      m.payload = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(delete);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    // an array this control plane does not know has no generation of its own: the database's
    // clock, which every replica shares, names the delete
    m.createdAt = clock.now();
    m.generation = ChronoUnit.MICROS.between(Instant.EPOCH, m.createdAt);
    m.traceparent = io.strata.controlplane.tracing.TraceParent.current();
    m.persist();
  }
}
