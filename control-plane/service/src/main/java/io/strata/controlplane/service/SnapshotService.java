package io.strata.controlplane.service;

import io.strata.controlplane.domain.Pool;
import io.strata.controlplane.domain.Snapshot;
import io.strata.controlplane.domain.SnapshotPolicy;
import io.strata.controlplane.domain.SnapshotState;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.rest.Page;
import io.strata.controlplane.rest.dto.SnapshotDtos.CloneCreate;
import io.strata.controlplane.rest.dto.SnapshotDtos.PolicyCreate;
import io.strata.controlplane.rest.dto.SnapshotDtos.PolicyView;
import io.strata.controlplane.rest.dto.SnapshotDtos.SnapshotCreate;
import io.strata.controlplane.rest.dto.SnapshotDtos.SnapshotView;
import io.strata.controlplane.rest.problem.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;

/** Snapshots, clones and snapshot policies. */
@ApplicationScoped
@Transactional
public class SnapshotService {
  @Inject CommandOutbox outbox;
  @Inject Operations operations;
  @Inject AuditLog audit;
  @Inject VolumeService volumes;
  @Inject io.strata.controlplane.security.Caller caller;

  public record Taken(Snapshot snapshot, UUID operationId) {}

  public Taken create(UUID tenantId, SnapshotCreate req) {
    Volume v = Owned.lock(Volume.class, "volume", tenantId, req.volumeId());
    return take(tenantId, v, req.name(), null, Actor.of(caller));
  }

  /** Takes a snapshot of the (locked) volume; {@code policyId} is set when a policy asked for it. */
  Taken take(UUID tenantId, Volume v, String name, UUID policyId, Actor by) {
    if (v.state != VolumeState.AVAILABLE) {
      throw ApiException.conflict("illegal-state", "a snapshot needs an AVAILABLE volume; it is " + v.state);
    }
    if (Counts.of(Snapshot.class, "volumeId = ?1 and name = ?2 and state <> ?3", v.id, name, SnapshotState.DELETED) > 0) {
      throw ApiException.conflict("already-exists", "name: a snapshot named '" + name + "' exists for the volume");
    }
    Snapshot s = new Snapshot();
    s.id = UUID.randomUUID();
    s.tenantId = tenantId;
    s.volumeId = v.id;
    s.policyId = policyId;
    s.name = name;
    s.sizeGib = v.sizeGib;
    s.state = SnapshotState.CREATING;
    s.createdAt = Instant.now();
    s.updatedAt = s.createdAt;
    s.persist();
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    outbox.arrayChanged(StorageArray.findById(v.arrayId));
    UUID op = operations.start(by.name(), tenantId, "snapshot.create", "snapshot", s.id).id;
    audit.record(by, tenantId, "snapshot.create", "snapshot", s.id);
    return new Taken(s, op);
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Page<SnapshotView> list(UUID tenantId, UUID volumeId, SnapshotState state, String cursor, Integer limit) {
    return Listing.where("tenantId = :tenant", "tenant", tenantId)
        .and("volumeId = :volume", "volume", volumeId)
        .and("state = :state", "state", state)
        .page(Snapshot.class, cursor, limit, Views::snapshot, s -> s.id);
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Snapshot get(UUID tenantId, UUID id) {
    return Owned.find(Snapshot.class, "snapshot", tenantId, id);
  }

  public UUID delete(UUID tenantId, UUID id) {
    return delete(tenantId, id, Actor.of(caller));
  }

  UUID delete(UUID tenantId, UUID id, Actor by) {
    Snapshot s = Owned.lock(Snapshot.class, "snapshot", tenantId, id);
    Volume v = Volume.findById(s.volumeId);
    if (v.state == VolumeState.ROLLING_BACK && s.id.equals(v.rollbackSnapshotId)) {
      throw ApiException.conflict("rollback-in-progress",
          "the volume is being rolled back to this snapshot; delete it once the rollback is done");
    }
    s.moveTo(SnapshotState.DELETING, "delete requested");
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    outbox.arrayChanged(StorageArray.findById(v.arrayId));
    UUID op = operations.start(by.name(), tenantId, "snapshot.delete", "snapshot", id).id;
    audit.record(by, tenantId, "snapshot.delete", "snapshot", id);
    return op;
  }

  /** A clone is a new volume in the source volume's pool, at least the snapshot's size. */
  public VolumeService.Changed cloneOf(UUID tenantId, UUID snapshotId, CloneCreate req) {
    Snapshot s = Owned.find(Snapshot.class, "snapshot", tenantId, snapshotId);
    if (s.state != SnapshotState.AVAILABLE) {
      throw ApiException.conflict("illegal-state", "a clone needs an AVAILABLE snapshot; it is " + s.state);
    }
    long size = req.sizeGib() == null ? s.sizeGib : req.sizeGib();
    if (size < s.sizeGib) {
      throw ApiException.invalidField("sizeGib", "a clone cannot be smaller than its snapshot (" + s.sizeGib + " GiB)");
    }
    Volume source = Volume.findById(s.volumeId);
    Pool pool = Pool.findById(source.poolId);
    return volumes.create(tenantId, pool, req.name(), size, source.thin, source.qosIopsLimit, source.qosMbpsLimit,
        false, s.id, source.tierPin, source.kekId); // a clone shares its snapshot's key (the engine's doing)
  }

  public PolicyView createPolicy(UUID tenantId, PolicyCreate req) {
    Volume v = Owned.find(Volume.class, "volume", tenantId, req.volumeId());
    if (!v.state.isLive()) {
      throw ApiException.conflict("illegal-state", "the volume is " + v.state);
    }
    if (Counts.of(SnapshotPolicy.class, "volumeId = ?1 and name = ?2", v.id, req.name()) > 0) {
      throw ApiException.conflict("already-exists", "name: a policy named '" + req.name() + "' exists for the volume");
    }
    SnapshotPolicy p = new SnapshotPolicy();
    p.id = UUID.randomUUID();
    p.tenantId = tenantId;
    p.volumeId = v.id;
    p.name = req.name();
    p.intervalMinutes = req.intervalMinutes();
    p.retain = req.retain();
    p.enabled = req.enabled() == null || req.enabled();
    p.createdAt = Instant.now();
    p.persist();
    audit.record(tenantId, "snapshot-policy.create", "snapshot-policy", p.id);
    return Views.policy(p);
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Page<PolicyView> listPolicies(UUID tenantId, UUID volumeId, String cursor, Integer limit) {
    return Listing.where("tenantId = :tenant", "tenant", tenantId)
        .and("volumeId = :volume", "volume", volumeId)
        .page(SnapshotPolicy.class, cursor, limit, Views::policy, p -> p.id);
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public SnapshotPolicy getPolicy(UUID tenantId, UUID id) {
    return Owned.find(SnapshotPolicy.class, "snapshot policy", tenantId, id);
  }

  public void deletePolicy(UUID tenantId, UUID id) {
    SnapshotPolicy p = Owned.find(SnapshotPolicy.class, "snapshot policy", tenantId, id);
    p.delete();
    audit.record(tenantId, "snapshot-policy.delete", "snapshot-policy", id);
  }
}
