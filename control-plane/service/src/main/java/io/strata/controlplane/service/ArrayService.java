package io.strata.controlplane.service;

import io.strata.controlplane.config.StrataConfig;
import io.strata.controlplane.domain.ArrayDrive;
import io.strata.controlplane.domain.ArrayEngine;
import io.strata.controlplane.domain.EngineRole;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Attachment;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.Pool;
import io.strata.controlplane.domain.SpreadPolicy;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.Tenant;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.rest.Page;
import io.strata.controlplane.rest.dto.ArrayDtos.ArrayCreate;
import io.strata.controlplane.rest.dto.ArrayDtos.ArrayDriveView;
import io.strata.controlplane.rest.dto.ArrayDtos.ArrayView;
import io.strata.controlplane.rest.dto.ArrayDtos.DriveAdd;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.scheduler.DriveView;
import io.strata.controlplane.scheduler.NodeView;
import io.strata.controlplane.scheduler.Placement;
import io.strata.controlplane.scheduler.PlacementRequest;
import io.strata.controlplane.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/** VPSAs: placement at create, drives, deletion. */
@ApplicationScoped
@Transactional
public class ArrayService {
  @Inject io.strata.controlplane.replicas.ReplicaLocks locks;
  @Inject StrataConfig config;
  @Inject NodeInventory inventory;
  @Inject Quotas quotas;
  @Inject CommandOutbox outbox;
  @Inject Operations operations;
  @Inject AuditLog audit;

  private final Scheduler scheduler = Scheduler.standard();

  public record Created(ArrayView array, UUID operationId) {}

  /**
   * Places the engine and picks the drives in one transaction: either the array exists in
   * PROVISIONING with its node, drives, portal and command, or nothing was written and the
   * caller learns which resource is short.
   */
  public Created create(UUID tenantId, ArrayCreate req) {
    int ssd = req.ssdDrives() == null ? 0 : req.ssdDrives();
    int hdd = req.hddDrives() == null ? 0 : req.hddDrives();
    quotas.checkArrays(tenantId, 1);
    quotas.checkDrives(tenantId, DriveType.SSD, ssd);
    quotas.checkDrives(tenantId, DriveType.HDD, hdd);
    if (Counts.of(StorageArray.class, "tenantId = ?1 and name = ?2 and state <> ?3", tenantId, req.name(), ArrayState.DELETED) > 0) {
      throw ApiException.conflict("already-exists", "name: an array named '" + req.name() + "' exists");
    }

    StorageArray a = new StorageArray();
    a.id = UUID.randomUUID();
    a.tenantId = tenantId;
    a.name = req.name();
    a.engineSize = req.engineSize();
    a.spread = req.spread() == null ? SpreadPolicy.NODE : req.spread();
    a.state = ArrayState.REQUESTED;
    a.createdAt = Instant.now();
    a.updatedAt = a.createdAt;
    a.moveTo(ArrayState.PLACING, "placing the engine");

    a.highAvailability = req.wantsHighAvailability();
    if (a.highAvailability && a.spread == SpreadPolicy.NONE) {
      throw ApiException.invalidField("spread",
          "a highly available array keeps copies on both of its engines' nodes; spread NONE keeps every drive on one"
              + " node (use NODE or ZONE)");
    }

    // shared: creations go on side by side (the nodes' row locks order them), a standby's
    // relocation (StandbyRelocation) waits, and is waited for
    locks.lockShared(io.strata.controlplane.replicas.ReplicaLocks.PLACEMENT);
    List<NodeView> nodes = inventory.lockedViews();
    PlacementRequest request =
        new PlacementRequest(a.engineSize, a.spread, Map.of(DriveType.SSD, ssd, DriveType.HDD, hdd));
    Placement placement = a.highAvailability ? scheduler.placeHighlyAvailable(nodes, request) : scheduler.place(nodes, request);

    a.nodeId = placement.nodeId();
    a.portalPort = freePortalPort(placement.nodeId());
    a.targetIqn = config.target().iqnPrefix() + ":" + Tenant.<Tenant>findById(tenantId).alias + "." + a.name;
    a.moveTo(ArrayState.PROVISIONING, "placed on a node");
    a.persist();
    if (a.highAvailability) {
      ArrayEngine.slot(a, a.nodeId, EngineRole.ACTIVE, a.portalPort, 1).persist();
      ArrayEngine.slot(a, placement.standbyNodeId(), EngineRole.STANDBY, freePortalPort(placement.standbyNodeId()), 2)
          .persist();
    }
    for (DriveView d : placement.drives()) {
      give(a, d.id());
    }
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    outbox.arrayChanged(a);
    UUID op = operations.start(tenantId, "array.create", "array", a.id).id;
    audit.record(tenantId, "array.create", "array", a.id);
    return new Created(view(a), op);
  }

  private void give(StorageArray a, UUID driveId) {
    ArrayDrive ad = new ArrayDrive();
    ad.id = UUID.randomUUID();
    ad.tenantId = a.tenantId;
    ad.arrayId = a.id;
    ad.driveId = driveId;
    ad.createdAt = Instant.now();
    ad.persist();
  }

  /** The lowest portal port no engine on the node uses (an HA array's slots included). */
  int freePortalPort(UUID nodeId) {
    Set<Integer> used =
        new HashSet<>(
            io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
                .createQuery("select a.portalPort from StorageArray a where a.nodeId = :n and a.state <> :gone", Integer.class)
                .setParameter("n", nodeId)
                .setParameter("gone", ArrayState.DELETED)
                .getResultList());
    // the portals of highly available arrays' engines on the node (a standby's too: it listens)
    used.addAll(io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
        .createQuery("select e.portalPort from ArrayEngine e where e.nodeId = :n", Integer.class)
        .setParameter("n", nodeId)
        .getResultList());
    int port = config.target().firstPortalPort();
    while (used.contains(port)) {
      port++;
    }
    return port;
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Page<ArrayView> list(UUID tenantId, ArrayState state, String name, String cursor, Integer limit) {
    Listing l = Listing.where("tenantId = :tenant", "tenant", tenantId).and("state = :state", "state", state).and("name = :name", "name", name);
    if (state == null) {
      l.andAlways("state <> io.strata.controlplane.domain.ArrayState.DELETED");
    }
    Page<StorageArray> page = l.page(StorageArray.class, cursor, limit, Function.identity(), a -> a.id);
    Map<UUID, String> addresses = addresses(page.items().stream().map(a -> a.nodeId).collect(Collectors.toSet()));
    Map<UUID, List<ArrayEngine>> engines = HaEngines.of(page.items());
    Map<UUID, Node> engineNodes = HaEngines.nodes(engines.values());
    return new Page<>(page.items().stream()
        .map(a -> Views.array(a, addresses.get(a.nodeId), HaEngines.views(engines.get(a.id), engineNodes)))
        .toList(), page.nextCursor());
  }

  static Map<UUID, String> addresses(Set<UUID> nodeIds) {
    nodeIds.remove(null);
    if (nodeIds.isEmpty()) {
      return Map.of();
    }
    return Node.<Node>list("id in ?1", nodeIds).stream().collect(Collectors.toMap(n -> n.id, n -> n.address));
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public StorageArray get(UUID tenantId, UUID id) {
    return Owned.find(StorageArray.class, "array", tenantId, id);
  }

  public ArrayView view(StorageArray a) {
    String address = a.nodeId == null ? null : Node.<Node>findById(a.nodeId).address;
    if (!a.highAvailability) {
      return Views.array(a, address);
    }
    Map<UUID, List<ArrayEngine>> engines = HaEngines.of(List.of(a));
    return Views.array(a, address, HaEngines.views(engines.get(a.id), HaEngines.nodes(engines.values())));
  }

  /** Deleting needs an array without volumes; the drives return to the free pool when the node confirms. */
  public UUID delete(UUID tenantId, UUID id, String ifMatch) {
    StorageArray a = Owned.lock(StorageArray.class, "array", tenantId, id);
    if (ifMatch != null) {
      io.strata.controlplane.rest.ETags.check(ifMatch, a.version);
    }
    long volumes = Counts.of(Volume.class, "arrayId = ?1 and state <> ?2", id, VolumeState.DELETED);
    if (volumes > 0) {
      throw ApiException.conflict("array-has-volumes", "the array still has " + volumes + " volume(s); delete them first");
    }
    if (a.state == ArrayState.FAILED && a.nodeId == null) {
      a.moveTo(ArrayState.DELETING, "delete requested");
      a.moveTo(ArrayState.DELETED, "never placed, nothing to remove on a node");
      audit.record(tenantId, "array.delete", "array", id);
      return null;
    }
    a.moveTo(ArrayState.DELETING, "delete requested");
    outbox.arrayChanged(a);
    UUID op = operations.start(tenantId, "array.delete", "array", id).id;
    audit.record(tenantId, "array.delete", "array", id);
    return op;
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public List<ArrayDriveView> drives(UUID tenantId, UUID arrayId) {
    get(tenantId, arrayId);
    List<ArrayDrive> held = ArrayDrive.list("arrayId = ?1 order by id", arrayId);
    if (held.isEmpty()) {
      return List.of();
    }
    Map<UUID, Drive> drives =
        Drive.<Drive>list("id in ?1", held.stream().map(h -> h.driveId).toList()).stream()
            .collect(Collectors.toMap(d -> d.id, Function.identity()));
    return held.stream().map(h -> Views.arrayDrive(h, drives.get(h.driveId))).toList();
  }

  /** Takes more free drives for the array, spread against the drives it already holds. */
  public List<ArrayDriveView> addDrives(UUID tenantId, UUID arrayId, DriveAdd req) {
    StorageArray a = Owned.lock(StorageArray.class, "array", tenantId, arrayId);
    if (!a.state.acceptsChanges()) {
      throw ApiException.conflict("illegal-state", "drives can only be added to an array in PROVISIONING, ONLINE or DEGRADED; it is " + a.state);
    }
    quotas.checkDrives(tenantId, req.type(), req.count());
    List<NodeView> nodes = inventory.lockedViews();
    Map<UUID, String> zoneOf = nodes.stream().collect(Collectors.toMap(NodeView::id, NodeView::zone));
    List<DriveView> held = new ArrayList<>();
    for (ArrayDrive ad : ArrayDrive.<ArrayDrive>list("arrayId", arrayId)) {
      Drive d = Drive.findById(ad.driveId);
      held.add(new DriveView(d.id, d.nodeId, zoneOf.getOrDefault(d.nodeId, ""), d.type, d.capacityGib));
    }
    List<DriveView> picked = a.highAvailability
        ? scheduler.addDrivesHighlyAvailable(nodes, req.type(), req.count(), held, engineNodes(a))
        : scheduler.addDrives(nodes, req.type(), req.count(), a.spread, held, a.nodeId);
    picked.forEach(d -> give(a, d.id()));
    a.updatedAt = Instant.now();
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    outbox.arrayChanged(a);
    audit.record(tenantId, "array.drives.add", "array", arrayId);
    return drives(tenantId, arrayId);
  }

  /** Gives a drive back to the free pool; a drive in a pool is refused. */
  public void removeDrive(UUID tenantId, UUID arrayId, UUID driveId) {
    StorageArray a = Owned.lock(StorageArray.class, "array", tenantId, arrayId);
    ArrayDrive ad = ArrayDrive.<ArrayDrive>find("arrayId = ?1 and driveId = ?2", arrayId, driveId).firstResult();
    if (ad == null) {
      throw ApiException.notFound("drive", driveId);
    }
    if (ad.poolId != null) {
      throw ApiException.conflict("drive-in-pool", "the drive belongs to pool " + ad.poolId + " (" + ad.role.describe()
          + "); delete the pool first");
    }
    ad.delete();
    a.updatedAt = Instant.now();
    outbox.arrayChanged(a);
    // The drive's node no longer appears in the array's desired state: tell it once more, so
    // that it stops exporting the drive to the array's engine.
    Drive removed = Drive.findById(driveId);
    if (removed != null && !removed.nodeId.equals(a.nodeId)) {
      outbox.arrayChanged(a, removed.nodeId);
    }
    audit.record(tenantId, "array.drives.remove", "array", arrayId);
  }

  /** The nodes of a highly available array's two engines. */
  static Set<UUID> engineNodes(StorageArray a) {
    return ArrayEngine.of(a.tenantId, a.id).stream().map(e -> e.nodeId).collect(Collectors.toSet());
  }

  /** Whether the array accepts a new volume or attachment; 409 naming its state otherwise. */
  public static void requireAccepting(StorageArray a, String what) {
    if (!a.state.acceptsChanges()) {
      throw ApiException.conflict("array-not-accepting",
          "cannot " + what + ": the array is " + a.state);
    }
  }

  /** Called by provisioning when the node confirms deletion: free everything the array held. */
  void releaseAll(StorageArray a) {
    ArrayEngine.delete("tenantId = ?1 and arrayId = ?2", a.tenantId, a.id);
    Attachment.delete("arrayId", a.id);
    ArrayDrive.delete("arrayId", a.id);
    Pool.delete("arrayId", a.id);
  }
}
