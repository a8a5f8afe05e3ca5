package io.strata.controlplane.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.controlplane.domain.ArrayDrive;
import io.strata.controlplane.domain.ArrayEngine;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Attachment;
import io.strata.controlplane.domain.AttachmentState;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.OutboxMessage;
import io.strata.controlplane.domain.Pool;
import io.strata.controlplane.domain.Server;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.Tenant;
import io.strata.controlplane.replicas.DatabaseClock;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Writes the command that follows from a domain change into the outbox, in the caller's
 * transaction: either both the change and the record that it must be sent are committed, or
 * neither. The relay (provisioning/OutboxRelay) turns the rows into commands on strata.commands.
 */
@ApplicationScoped
public class CommandOutbox {
  /** A row carrying a whole desired state, published as it is (e.g. the delete of an unknown array). */
  public static final String TYPE_ARRAY_DESIRED_STATE = "io.strata.command.array.desired-state";
  /** A row saying only "this array changed": the relay builds its desired state when it publishes. */
  public static final String TYPE_ARRAY_CHANGED = "io.strata.command.array.changed";
  public static final int SPEC_VERSION = 1;
  public static final String SOURCE = "strata-control-plane";

  @Inject ObjectMapper json;
  @Inject jakarta.persistence.EntityManager em;

  /**
   * Takes the array's next generation under its row lock (the update waits for any other writer
   * of the array, so generations rise in commit order) from PostgreSQL's clock: {@code
   * greatest(now in microseconds, previous + 1)}. Two replicas with different clocks therefore
   * never stamp a later change with a lower generation (an agent drops a command older than the
   * one it applied). Returns the generation and the database's time.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public Stamp nextGeneration(UUID arrayId) {
    em.flush(); // an array created in this transaction must be in the table
    @SuppressWarnings("unchecked")
    List<Object[]> rows = em.createNativeQuery(
            "with clock as (select " + DatabaseClock.micros("clock_timestamp()") + " as now) "
                + "update storage_array a set desired_generation = greatest(clock.now, a.desired_generation + 1) "
                + "from clock where a.id = ?1 returning a.desired_generation, clock.now")
        .setParameter(1, arrayId)
        .getResultList();
    if (rows.isEmpty()) {
      throw new IllegalStateException("array " + arrayId + " is not in the database");
    }
    return new Stamp(((Number) rows.get(0)[0]).longValue(), DatabaseClock.ofMicros(((Number) rows.get(0)[1]).longValue()));
  }

  /** A generation and the database time it was taken at. */
  public record Stamp(long generation, Instant at) {}

  /**
   * Records that the array changed, for its node. The row says only which array: the relay
   * builds the desired state when it publishes, so a change costs one small row however many
   * volumes the array holds, and the changes written between two relay rounds go out as one
   * command. Arrays not yet placed have no node. Returns the generation the row took and the
   * database's time (a request's operation may start at that time, see {@code Operations}), or
   * null when nothing was written.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public Stamp arrayChanged(StorageArray array) {
    return arrayChanged(array, array.nodeId);
  }

  /**
   * Records that the array changed, to be told also to {@code node}, which may no longer appear
   * in the array's desired state: a node whose drive left the array must hear once more so that
   * it stops exporting the drive (the relay sends every "changed" row's node the array's state,
   * besides the engine's node and the nodes holding its drives).
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public Stamp arrayChanged(StorageArray array, UUID node) {
    if (array.nodeId == null || node == null) {
      return null;
    }
    OutboxMessage m = new OutboxMessage();
    m.id = UUID.randomUUID();
    m.type = TYPE_ARRAY_CHANGED;
    m.specVersion = SPEC_VERSION;
    m.source = SOURCE;
    m.subject = "array/" + array.id;
    m.nodeId = node;
    m.payload = write(new ArrayChanged(array.id));
    Stamp stamp = nextGeneration(array.id);
    m.generation = stamp.generation();
    m.createdAt = stamp.at();
    m.traceparent = io.strata.controlplane.tracing.TraceParent.current();
    m.persist();
    return stamp;
  }

  /** The payload of an {@link #TYPE_ARRAY_CHANGED} row. */
  public record ArrayChanged(UUID arrayId) {}

  /** The array's desired state as the database says it now (what the relay publishes). */
  @Transactional(Transactional.TxType.MANDATORY)
  public ArrayDesiredState desiredStateNow(UUID arrayId) {
    StorageArray array = StorageArray.findById(arrayId);
    return array == null ? null : desiredState(array);
  }

  ArrayDesiredState desiredState(StorageArray array) {
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    // A FAILED array stays present (its engine may come back, or be retried), unless it failed
    // while being deleted: then its delete is what is left to do.
    boolean present = array.state != ArrayState.DELETING && array.state != ArrayState.DELETED
        && !(array.state == ArrayState.FAILED && array.failedWhileRemoved());
    String tenant = Tenant.<Tenant>findById(array.tenantId).alias;
    List<ArrayDrive> held = ArrayDrive.list("arrayId", array.id);
    Map<UUID, Drive> drives =
        held.isEmpty()
            ? Map.of()
            : Drive.<Drive>list("id in ?1", held.stream().map(d -> d.driveId).toList()).stream()
                .collect(Collectors.toMap(d -> d.id, Function.identity()));
    List<Pool> pools = Pool.list("arrayId", array.id);
    List<VolumeRow> volumes = present ? liveVolumes(array.id) : List.of();
    Map<UUID, List<ArrayDesiredState.SnapshotSpec>> snapshots = present ? liveSnapshots(array.id) : Map.of();
    // FAILED attachments that failed while attaching or attached stay (the engine exports them
    // again once it can, and the node's READY report brings them back to ATTACHED)
    List<Attachment> attachments =
        Attachment.list("arrayId = ?1 and (state in ?2 or (state = ?3 and failedFrom in ?4))", array.id,
            Set.of(AttachmentState.ATTACHING, AttachmentState.ATTACHED), AttachmentState.FAILED,
            Attachment.HOLDING_WHEN_FAILED);
    List<Server> servers =
        attachments.isEmpty()
            ? List.of()
            : Server.list("id in ?1", attachments.stream().map(a -> a.serverId).distinct().toList());
    Set<UUID> nodeIds = new java.util.LinkedHashSet<>();
    nodeIds.add(array.nodeId);
    List<ArrayEngine> engines = array.highAvailability ? ArrayEngine.of(array.tenantId, array.id) : List.of();
    engines.forEach(e -> nodeIds.add(e.nodeId));
    held.stream().map(ad -> drives.get(ad.driveId)).filter(d -> d != null).map(d -> d.nodeId).sorted()
        .forEach(nodeIds::add);
    Map<UUID, Node> nodes = Node.<Node>list("id in ?1", List.copyOf(nodeIds)).stream()
        .collect(Collectors.toMap(n -> n.id, Function.identity()));
    Node engineNode = nodes.get(array.nodeId);

    return new ArrayDesiredState(
        array.id,
        tenant,
        array.name,
        present,
        array.engineSize.name(),
        array.engineSize.vcpus(),
        array.engineSize.memoryGib(),
        array.targetIqn,
        array.portalPort,
        present
            ? held.stream()
                .map(ad -> {
                  Drive d = drives.get(ad.driveId);
                  Node holder = nodes.get(d.nodeId);
                  return new ArrayDesiredState.DriveSpec(
                      d.id, d.nodeId, d.serial, d.type.name(), d.capacityGib, ad.poolId,
                      holder == null ? null : holder.name, exportPortal(array, holder),
                      ad.role == null ? null : ad.role.name());
                })
                .toList()
            : List.of(),
        present
            ? pools.stream()
                .map(p -> new ArrayDesiredState.PoolSpec(
                    p.id, p.name, p.driveType.name(), p.protection.name(), p.cacheMode.name(), p.tiering,
                    p.capacityGib, p.scrubRequestId, p.scrubRequestId == null ? null : p.scrubRateMbps,
                    p.restripeRateMbps))
                .toList()
            : List.of(),
        volumes.stream()
            .map(v -> new ArrayDesiredState.VolumeSpec(
                v.id(), v.poolId(), v.name(), v.sizeGib(), v.thin(), v.qosIopsLimit(), v.qosMbpsLimit(),
                v.sourceSnapshotId(), snapshots.getOrDefault(v.id(), List.of()), v.rollbackRequestId(),
                v.rollbackSnapshotId(), v.tierPin() == null ? null : v.tierPin().name(),
                v.state() == io.strata.controlplane.domain.VolumeState.RECYCLED, v.moveFromPoolId(), v.kekId()))
            .toList(),
        present
            ? servers.stream()
                .map(s -> new ArrayDesiredState.ServerSpec(
                    s.id, s.iqn, s.chapUser, s.chapSecretSealed, s.mutualChapUser, s.mutualChapSecretSealed))
                .toList()
            : List.of(),
        present
            ? attachments.stream()
                .map(a -> new ArrayDesiredState.LunSpec(a.id, a.volumeId, a.serverId, a.lun, a.readOnly))
                .toList()
            : List.of(),
        array.nodeId,
        engineNode == null ? null : engineNode.name,
        List.copyOf(nodeIds),
        present && array.highAvailability ? ha(array, engines, nodes) : null,
        present && hibernated(array));
  }

  /**
   * Whether the array's engines are to be stopped: while it hibernates or is hibernated, and
   * while it is FAILED having failed to hibernate (it keeps trying to stop, not to start).
   */
  static boolean hibernated(StorageArray array) {
    return array.state.hibernation()
        || (array.state == ArrayState.FAILED && ArrayState.HIBERNATING.name().equals(array.failedFrom));
  }

  /** The epoch, both engine slots and the outdated nodes of a highly available array. */
  private static ArrayDesiredState.Ha ha(StorageArray array, List<ArrayEngine> engines, Map<UUID, Node> nodes) {
    List<ArrayDesiredState.Slot> slots = engines.stream()
        .map(e -> {
          Node n = nodes.get(e.nodeId);
          return new ArrayDesiredState.Slot(e.nodeId, n.name, e.role.name(), n.address, e.portalPort, e.portGroup);
        })
        .toList();
    List<String> outdated = engines.stream().filter(e -> e.outdated).map(e -> nodes.get(e.nodeId).name).toList();
    return new ArrayDesiredState.Ha(array.haEpoch, slots, outdated);
  }

  /**
   * Where an engine reaches a drive of {@code holder}: null on the engine's own node, and null
   * when the node exports no drives (its agent reported no drive portal), which the engine's agent
   * then reports as a failed drive with that reason. A highly available array's drives all carry
   * their node's portal, those on the active's node too: the same state goes to both engine
   * nodes, and each opens the other's drives through it (each agent takes its own as local files).
   */
  static String exportPortal(StorageArray array, Node holder) {
    if (holder == null || (!array.highAvailability && holder.id.equals(array.nodeId)) || holder.drivePortalPort <= 0) {
      return null;
    }
    return holder.address + ":" + holder.drivePortalPort;
  }

  /** The columns of a volume the desired state carries (a projection: no managed entities). */
  public record VolumeRow(
      UUID id, UUID poolId, String name, long sizeGib, boolean thin, Integer qosIopsLimit, Integer qosMbpsLimit,
      UUID sourceSnapshotId, UUID rollbackRequestId, UUID rollbackSnapshotId,
      io.strata.controlplane.domain.DriveType tierPin, io.strata.controlplane.domain.VolumeState state,
      UUID moveFromPoolId, String kekId) {}

  /**
   * The array's volumes that should exist, read as plain values: an array may hold thousands,
   * and loading them as managed entities would make every later flush of the transaction
   * dirty-check all of them. The states are literals so that Hibernate caches the query's plan.
   * FAILED volumes stay (the engine serves them again once it can), except those that failed
   * while being deleted ({@code failedFrom} is set only while FAILED).
   */
  private static List<VolumeRow> liveVolumes(UUID arrayId) {
    return io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
        .createQuery(
            "select new io.strata.controlplane.outbox.CommandOutbox$VolumeRow(v.id, v.poolId, v.name, v.sizeGib, v.thin, "
                + "v.qosIopsLimit, v.qosMbpsLimit, v.sourceSnapshotId, v.rollbackRequestId, v.rollbackSnapshotId, v.tierPin, v.state, v.moveFromPoolId, v.kekId) from Volume v where v.arrayId = :array "
                + "and v.state not in (io.strata.controlplane.domain.VolumeState.DELETED, "
                + "io.strata.controlplane.domain.VolumeState.DELETING) and coalesce(v.failedFrom, '') <> 'DELETING' "
                + "order by v.id",
            VolumeRow.class)
        .setParameter("array", arrayId)
        .getResultList();
  }

  /** The snapshots that should exist of the array's live volumes, by volume, in one query (no id list). */
  private static Map<UUID, List<ArrayDesiredState.SnapshotSpec>> liveSnapshots(UUID arrayId) {
    List<Object[]> rows = io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
        .createQuery(
            "select s.volumeId, s.id, s.name from Snapshot s, Volume v where s.volumeId = v.id and v.arrayId = :array "
                + "and v.state not in (io.strata.controlplane.domain.VolumeState.DELETED, "
                + "io.strata.controlplane.domain.VolumeState.DELETING) "
                + "and s.state not in (io.strata.controlplane.domain.SnapshotState.DELETED, "
                + "io.strata.controlplane.domain.SnapshotState.DELETING) and coalesce(v.failedFrom, '') <> 'DELETING' "
                + "and coalesce(s.failedFrom, '') <> 'DELETING' order by s.volumeId, s.createdAt, s.id",
            Object[].class)
        .setParameter("array", arrayId)
        .getResultList();
    Map<UUID, List<ArrayDesiredState.SnapshotSpec>> byVolume = new java.util.HashMap<>();
    for (Object[] row : rows) {
      byVolume.computeIfAbsent((UUID) row[0], k -> new java.util.ArrayList<>())
          .add(new ArrayDesiredState.SnapshotSpec((UUID) row[1], (String) row[2]));
    }
    return byVolume;
  }

  private String write(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a command", e);
    }
  }
}
