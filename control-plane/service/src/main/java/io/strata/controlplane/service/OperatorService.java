package io.strata.controlplane.service;

import io.strata.controlplane.domain.ArrayDrive;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.DriveState;
import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.domain.Quota;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.Tenant;
import io.strata.controlplane.domain.TenantState;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.rest.ETags;
import io.strata.controlplane.rest.Page;
import io.strata.controlplane.rest.dto.OperatorDtos.CapacityView;
import io.strata.controlplane.rest.dto.OperatorDtos.DriveCreate;
import io.strata.controlplane.rest.dto.OperatorDtos.DriveView;
import io.strata.controlplane.rest.dto.OperatorDtos.NodeCapacity;
import io.strata.controlplane.rest.dto.OperatorDtos.NodeCreate;
import io.strata.controlplane.rest.dto.OperatorDtos.NodeView;
import io.strata.controlplane.rest.dto.OperatorDtos.QuotaBody;
import io.strata.controlplane.rest.dto.OperatorDtos.TenantCreate;
import io.strata.controlplane.rest.dto.OperatorDtos.TenantView;
import io.strata.controlplane.rest.problem.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Operator views and changes: tenants and quotas, nodes, drives, capacity. */
@ApplicationScoped
@Transactional
public class OperatorService {
  /** Quota of a tenant created without one: small, so that nothing big happens by accident. */
  static final QuotaBody DEFAULT_QUOTA = new QuotaBody(2, 8, 8, 10_240L);

  @Inject AuditLog audit;
  @Inject NodeInventory inventory;
  @Inject HighAvailability highAvailability;

  public TenantView createTenant(TenantCreate req) {
    if (Tenant.byAlias(req.alias()).isPresent()) {
      throw ApiException.conflict("already-exists", "alias: a tenant with alias '" + req.alias() + "' exists");
    }
    Tenant t = new Tenant();
    t.id = UUID.randomUUID();
    t.alias = req.alias();
    t.displayName = req.displayName();
    t.state = TenantState.ACTIVE;
    t.createdAt = Instant.now();
    t.persist();
    Quota q = new Quota();
    q.tenantId = t.id;
    apply(q, req.quota() == null ? DEFAULT_QUOTA : req.quota());
    q.persist();
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    audit.record(t.id, "tenant.create", "tenant", t.id);
    return Views.tenant(t, q);
  }

  private static void apply(Quota q, QuotaBody body) {
    q.maxArrays = body.maxArrays();
    q.maxSsdDrives = body.maxSsdDrives();
    q.maxHddDrives = body.maxHddDrives();
    q.maxCapacityGib = body.maxCapacityGib();
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Page<TenantView> tenants(String alias, String cursor, Integer limit) {
    Page<Tenant> page = Listing.all().and("alias = :alias", "alias", alias)
        .page(Tenant.class, cursor, limit, Function.identity(), t -> t.id);
    Map<UUID, Quota> quotas = page.items().isEmpty() ? Map.of()
        : Quota.<Quota>list("tenantId in ?1", page.items().stream().map(t -> t.id).toList()).stream()
            .collect(Collectors.toMap(q -> q.tenantId, Function.identity()));
    return new Page<>(page.items().stream().map(t -> Views.tenant(t, quotas.get(t.id))).toList(), page.nextCursor());
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Tenant tenant(UUID id) {
    Tenant t = Tenant.findById(id);
    if (t == null) {
      throw ApiException.notFound("tenant", id);
    }
    return t;
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Quota quota(UUID tenantId) {
    tenant(tenantId);
    Quota q = Quota.findById(tenantId);
    if (q == null) {
      throw ApiException.notFound("quota of tenant", tenantId);
    }
    return q;
  }

  public Quota setQuota(UUID tenantId, String ifMatch, QuotaBody body) {
    Quota q = quota(tenantId);
    ETags.check(ifMatch, q.version);
    apply(q, body);
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    audit.record(tenantId, "quota.update", "tenant", tenantId);
    return q;
  }

  public Node enroll(NodeCreate req) {
    if (Counts.of(Node.class, "name = ?1", req.name()) > 0) {
      throw ApiException.conflict("already-exists", "name: a node named '" + req.name() + "' exists");
    }
    Node n = new Node();
    n.id = UUID.randomUUID();
    n.name = req.name();
    n.zone = req.zone();
    n.address = req.address();
    n.cpuCores = req.cpuCores();
    n.memoryGib = req.memoryGib();
    n.state = NodeState.ENROLLING;
    n.createdAt = Instant.now();
    n.persist();
    audit.record(null, "node.enroll", "node", n.id);
    return n;
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Page<NodeView> nodes(NodeState state, String zone, String cursor, Integer limit) {
    return Listing.all().and("state = :state", "state", state).and("zone = :zone", "zone", zone)
        .page(Node.class, cursor, limit, Views::node, n -> n.id);
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Node node(UUID id) {
    Node n = Node.findById(id);
    if (n == null) {
      throw ApiException.notFound("node", id);
    }
    return n;
  }

  /**
   * Drains a node: MAINTENANCE (no new array is placed there), and every highly available array
   * whose ACTIVE engine runs there switches over to its standby (HighAvailability#drain).
   * Idempotent: a second drain repeats nothing that is under way and lists the same arrays.
   */
  public io.strata.controlplane.rest.dto.OperatorDtos.DrainView drain(UUID id) {
    Node n = Node.findById(id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
    if (n == null) {
      throw ApiException.notFound("node", id);
    }
    if (n.state != NodeState.MAINTENANCE) {
      if (!NodeState.MACHINE.allows(n.state, NodeState.MAINTENANCE)) {
        throw ApiException.conflict("illegal-state", "a node that is " + n.state + " cannot be drained");
      }
      n.state = NodeState.MAINTENANCE;
      audit.record(null, "node.drain", "node", id);
    }
    HighAvailability.Drained drained = highAvailability.drain(n, java.time.Instant.now());
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    java.util.Map<UUID, StorageArray> arrays = new java.util.HashMap<>();
    java.util.List<UUID> named = new java.util.ArrayList<>(drained.switchingOver());
    drained.cannotMove().forEach(u -> named.add(u.arrayId()));
    if (!named.isEmpty()) {
      StorageArray.<StorageArray>list("id in ?1", named).forEach(a -> arrays.put(a.id, a));
    }
    return new io.strata.controlplane.rest.dto.OperatorDtos.DrainView(Views.node(n),
        drained.switchingOver().stream()
            .map(a -> new io.strata.controlplane.rest.dto.OperatorDtos.DrainedArray(a, arrays.get(a).name,
                arrays.get(a).tenantId, null))
            .toList(),
        drained.cannotMove().stream()
            .map(u -> new io.strata.controlplane.rest.dto.OperatorDtos.DrainedArray(u.arrayId(), u.name(), u.tenantId(),
                u.reason()))
            .toList());
  }

  /** Puts a drained node back: ONLINE (new arrays may be placed there again). Idempotent. */
  public Node undrain(UUID id) {
    Node n = Node.findById(id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
    if (n == null) {
      throw ApiException.notFound("node", id);
    }
    if (n.state == NodeState.MAINTENANCE) {
      n.state = NodeState.ONLINE; // the watchdog makes it OFFLINE if its agent is silent
      audit.record(null, "node.undrain", "node", id);
    } else if (n.state != NodeState.ONLINE) {
      throw ApiException.conflict("illegal-state", "only a node in MAINTENANCE can be undrained; it is " + n.state);
    }
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    return n;
  }

  /** Moves a node through its lifecycle (e.g. into MAINTENANCE); decommissioning needs it empty. */
  public Node setNodeState(UUID id, String ifMatch, NodeState next) {
    Node n = node(id);
    ETags.check(ifMatch, n.version);
    if (next == NodeState.DECOMMISSIONED) {
      long engines = Counts.of(StorageArray.class, "nodeId = ?1 and state <> ?2", id, ArrayState.DELETED)
          + Counts.of(io.strata.controlplane.domain.ArrayEngine.class, "nodeId = ?1 and role = ?2", id,
              io.strata.controlplane.domain.EngineRole.STANDBY);
      if (engines > 0) {
        throw ApiException.conflict("node-in-use", "the node runs " + engines + " array engine(s)");
      }
    }
    n.state = NodeState.MACHINE.require(n.state, next, "operator request");
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    audit.record(null, "node.state", "node", id);
    return n;
  }

  public DriveView addDrive(DriveCreate req) {
    node(req.nodeId());
    if (Counts.of(Drive.class, "serial = ?1", req.serial()) > 0) {
      throw ApiException.conflict("already-exists", "serial: a drive with serial '" + req.serial() + "' exists");
    }
    Drive d = new Drive();
    d.id = UUID.randomUUID();
    d.nodeId = req.nodeId();
    d.serial = req.serial();
    d.type = req.type();
    d.capacityGib = req.capacityGib();
    d.state = DriveState.AVAILABLE;
    d.createdAt = Instant.now();
    d.persist();
    audit.record(null, "drive.add", "drive", d.id);
    return new DriveView(d.id, d.nodeId, d.serial, d.type, d.capacityGib, d.state, null, null);
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Page<DriveView> drives(UUID nodeId, DriveType type, String cursor, Integer limit) {
    Page<Drive> page = Listing.all().and("nodeId = :node", "node", nodeId).and("type = :type", "type", type)
        .page(Drive.class, cursor, limit, Function.identity(), d -> d.id);
    Map<UUID, ArrayDrive> held = page.items().isEmpty() ? Map.of()
        : ArrayDrive.<ArrayDrive>list("driveId in ?1", page.items().stream().map(d -> d.id).toList()).stream()
            .collect(Collectors.toMap(ad -> ad.driveId, Function.identity()));
    return new Page<>(
        page.items().stream()
            .map(d -> {
              ArrayDrive ad = held.get(d.id);
              return new DriveView(d.id, d.nodeId, d.serial, d.type, d.capacityGib, d.state,
                  ad == null ? null : ad.arrayId, ad == null ? null : ad.tenantId);
            })
            .toList(),
        page.nextCursor());
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public CapacityView capacity() {
    List<Node> nodes = Node.list("order by name");
    var views = inventory.views(nodes);
    Map<UUID, int[]> totals = new HashMap<>();
    Map<UUID, Long> totalGib = new HashMap<>();
    for (Drive d : Drive.<Drive>list("state", DriveState.AVAILABLE)) {
      int[] t = totals.computeIfAbsent(d.nodeId, k -> new int[2]);
      t[d.type == DriveType.SSD ? 0 : 1]++;
      totalGib.merge(d.nodeId, d.capacityGib, Long::sum);
    }
    List<NodeCapacity> out = new ArrayList<>();
    int cpu = 0;
    int reserved = 0;
    long free = 0;
    long total = 0;
    for (var v : views) {
      int[] t = totals.getOrDefault(v.id(), new int[2]);
      long freeGib = v.freeDrives().stream().mapToLong(d -> d.capacityGib()).sum();
      long tot = totalGib.getOrDefault(v.id(), 0L);
      out.add(new NodeCapacity(v.id(), v.name(), v.zone(), v.state(), v.cpuCores(), v.reservedVcpus(), v.memoryGib(),
          v.reservedMemoryGib(), (int) v.freeDriveCount(DriveType.SSD), t[0], (int) v.freeDriveCount(DriveType.HDD), t[1],
          freeGib, tot));
      cpu += v.cpuCores();
      reserved += v.reservedVcpus();
      free += freeGib;
      total += tot;
    }
    int tenants = (int) Tenant.count();
    int arrays = (int) Counts.of(StorageArray.class, "state <> ?1", ArrayState.DELETED);
    return new CapacityView(out, cpu, reserved, free, total, tenants, arrays);
  }
}
