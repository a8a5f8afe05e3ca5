package io.strata.controlplane.service;

import io.strata.controlplane.domain.ArrayEngine;
import io.strata.controlplane.domain.Attachment;
import io.strata.controlplane.domain.AttachmentState;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.Server;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.rest.Page;
import io.strata.controlplane.rest.dto.AttachmentDtos.AttachmentCreate;
import io.strata.controlplane.rest.dto.AttachmentDtos.AttachmentView;
import io.strata.controlplane.rest.dto.AttachmentDtos.Connection;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.rest.problem.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Attachments: LUN masking of a volume to a server, with what the initiator needs to connect. */
@ApplicationScoped
@Transactional
public class AttachmentService {
  public static final Set<AttachmentState> ACTIVE =
      Set.of(AttachmentState.ATTACHING, AttachmentState.ATTACHED, AttachmentState.DETACHING);

  /** LUN numbers 0..255 per array (the schema's check, and what initiators scan by default). */
  static final int MAX_LUN = 255;

  @Inject CommandOutbox outbox;
  @Inject Operations operations;
  @Inject AuditLog audit;

  public record Made(AttachmentView attachment, UUID operationId) {}

  public Made create(UUID tenantId, AttachmentCreate req) {
    Volume v = Owned.lock(Volume.class, "volume", tenantId, req.volumeId());
    Server s = Owned.find(Server.class, "server", tenantId, req.serverId());
    StorageArray a = Owned.lock(StorageArray.class, "array", tenantId, v.arrayId);
    ArrayService.requireAccepting(a, "attach a volume");
    if (!v.state.isLive()) {
      throw ApiException.conflict("illegal-state", "cannot attach a volume that is " + v.state);
    }
    // a FAILED attachment that is to be exported again holds its LUN and its server (issue 16)
    List<Attachment> existing = Attachment.list("from Attachment a where a.volumeId = ?1 and " + Attachment.holdingLun("a"), v.id);
    if (existing.stream().anyMatch(x -> x.serverId.equals(s.id))) {
      throw ApiException.conflict("already-attached", "serverId: the volume is already attached to this server");
    }
    if (!existing.isEmpty() && !v.multiAttach) {
      throw new ApiException(
          new Problem(409, "multi-attach-not-allowed", "Conflict",
              "the volume is attached to another server and does not allow multi-attach")
              .with("reason", "multi-attach"));
    }
    int lun = lunFor(a, v, existing, req.lun());
    Attachment at = new Attachment();
    at.id = UUID.randomUUID();
    at.tenantId = tenantId;
    at.volumeId = v.id;
    at.serverId = s.id;
    at.arrayId = a.id;
    at.lun = lun;
    at.readOnly = Boolean.TRUE.equals(req.readOnly());
    at.state = AttachmentState.ATTACHING;
    at.createdAt = Instant.now();
    at.updatedAt = at.createdAt;
    at.persist();
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    outbox.arrayChanged(a);
    UUID op = operations.start(tenantId, "attachment.create", "attachment", at.id).id;
    audit.record(tenantId, "attachment.create", "attachment", at.id);
    return new Made(views(List.of(at)).get(0), op);
  }

  /**
   * The volume's LUN number on its array. The engine has one LUN map per target, masked per
   * initiator: a volume already attached keeps its number for every further server, and a volume
   * attached for the first time gets the lowest number no other volume of the array holds (or
   * the one asked, if free). The array row is locked by the caller, so two attaches to one array
   * cannot pick the same number; the exclusion constraints of V3 hold it in the database too.
   */
  private static int lunFor(StorageArray a, Volume v, List<Attachment> volumesAttachments, Integer asked) {
    if (!volumesAttachments.isEmpty()) {
      int own = volumesAttachments.get(0).lun;
      if (asked != null && asked != own) {
        throw new ApiException(
            new Problem(409, "lun-taken", "Conflict",
                "lun: the volume is LUN " + own + " on this array for its other server(s); a volume has one LUN "
                    + "number per array (omit lun, or ask " + own + ")")
                .with("reason", "volume-has-another-lun"));
      }
      return own;
    }
    Set<Integer> taken =
        new HashSet<>(
            io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
                .createQuery("select distinct x.lun from Attachment x where x.arrayId = :a and x.volumeId <> :v "
                    + "and " + Attachment.holdingLun("x"), Integer.class)
                .setParameter("a", a.id)
                .setParameter("v", v.id)
                .getResultList());
    if (asked != null) {
      if (taken.contains(asked)) {
        throw new ApiException(
            new Problem(409, "lun-taken", "Conflict",
                "lun: LUN " + asked + " is used by another volume of this array")
                .with("reason", "lun-used-by-another-volume"));
      }
      return asked;
    }
    for (int lun = 0; lun <= MAX_LUN; lun++) {
      if (!taken.contains(lun)) {
        return lun;
      }
    }
    throw ApiException.conflict("no-free-lun", "the array has all " + (MAX_LUN + 1) + " LUN numbers in use");
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Page<AttachmentView> list(UUID tenantId, UUID volumeId, UUID serverId, AttachmentState state, String cursor, Integer limit) {
    Listing l = Listing.where("tenantId = :tenant", "tenant", tenantId)
        .and("volumeId = :volume", "volume", volumeId)
        .and("serverId = :server", "server", serverId)
        .and("state = :state", "state", state);
    if (state == null) {
      l.andAlways("state <> io.strata.controlplane.domain.AttachmentState.DETACHED");
    }
    Page<Attachment> page = l.page(Attachment.class, cursor, limit, Function.identity(), x -> x.id);
    return new Page<>(views(page.items()), page.nextCursor());
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public AttachmentView get(UUID tenantId, UUID id) {
    return views(List.of(Owned.find(Attachment.class, "attachment", tenantId, id))).get(0);
  }

  public Made detach(UUID tenantId, UUID id) {
    Attachment at = Owned.lock(Attachment.class, "attachment", tenantId, id);
    at.moveTo(AttachmentState.DETACHING, "detach requested");
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    outbox.arrayChanged(StorageArray.findById(at.arrayId));
    UUID op = operations.start(tenantId, "attachment.delete", "attachment", id).id;
    audit.record(tenantId, "attachment.delete", "attachment", id);
    return new Made(views(List.of(at)).get(0), op);
  }

  /** Views with connection details, loading arrays, nodes and servers in one query each. */
  private List<AttachmentView> views(List<Attachment> attachments) {
    if (attachments.isEmpty()) {
      return List.of();
    }
    Map<UUID, StorageArray> arrays = byId(StorageArray.<StorageArray>list("id in ?1", ids(attachments, x -> x.arrayId)), a -> a.id);
    Map<UUID, Server> servers = byId(Server.<Server>list("id in ?1", ids(attachments, x -> x.serverId)), s -> s.id);
    Set<UUID> nodeIds = arrays.values().stream().map(a -> a.nodeId).filter(n -> n != null).collect(Collectors.toSet());
    Map<UUID, Node> nodes = nodeIds.isEmpty() ? Map.of() : byId(Node.<Node>list("id in ?1", nodeIds), n -> n.id);
    Map<UUID, List<ArrayEngine>> engines = HaEngines.of(arrays.values());
    Map<UUID, Node> engineNodes = HaEngines.nodes(engines.values());
    return attachments.stream()
        .map(x -> {
          StorageArray a = arrays.get(x.arrayId);
          Server s = servers.get(x.serverId);
          Node n = a.nodeId == null ? null : nodes.get(a.nodeId);
          // a highly available array: both engines' portals, the ACTIVE one first (multipath)
          List<String> portals = engines.containsKey(a.id) ? HaEngines.portals(engines.get(a.id), engineNodes)
              : n == null ? List.of() : List.of(n.address + ":" + a.portalPort);
          String auth = s.mutualChapUser != null ? "CHAP_MUTUAL" : s.chapUser != null ? "CHAP" : "NONE";
          Connection c = new Connection(portals, a.targetIqn, x.lun, s.iqn, auth, s.chapUser, s.mutualChapUser);
          return new AttachmentView(x.id, x.volumeId, x.serverId, x.lun, x.readOnly, x.state, x.failureReason, c, x.createdAt);
        })
        .toList();
  }

  private static <T> Set<UUID> ids(List<T> rows, Function<T, UUID> f) {
    return rows.stream().map(f).collect(Collectors.toSet());
  }

  private static <T> Map<UUID, T> byId(List<T> rows, Function<T, UUID> f) {
    return rows.stream().collect(Collectors.toMap(f, Function.identity()));
  }
}
