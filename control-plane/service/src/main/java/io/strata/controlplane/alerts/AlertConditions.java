package io.strata.controlplane.alerts;

import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.DriveState;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.domain.StorageArray;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What holds now, read from the control plane's own state: the arrays' states and what their
 * nodes said they lack, the nodes' and drives' states, the pools' fill from the last usage
 * samples, the outbox and billing's consumer lag. Level-triggered: every evaluation starts from
 * scratch, so a restart or a missed report loses nothing.
 */
@ApplicationScoped
public class AlertConditions {
  @Inject EntityManager em;
  @Inject Thresholds thresholds;
  @Inject PoolFills poolFills;

  /** What holds at {@code now}; {@code meteringLag} asked of Kafka beforehand (null: not known). */
  public List<Observation> current(Instant now, Long meteringLag) {
    List<Observation> out = new ArrayList<>();
    arrays(out);
    nodes(out);
    drives(out);
    poolFill(out);
    scrubs(out);
    outbox(out, now);
    meteringLag(out, meteringLag);
    return out;
  }

  private void arrays(List<Observation> out) {
    List<StorageArray> troubled = StorageArray.list("state in ?1", List.of(ArrayState.DEGRADED, ArrayState.FAILED));
    if (troubled.isEmpty()) {
      return;
    }
    Map<String, Object[]> roleOfSerial = rolesOfSerials(troubled);
    for (StorageArray a : troubled) {
      String key = "array:" + a.id;
      String what = "array " + a.name;
      if (a.state == ArrayState.FAILED) {
        out.add(new Observation(Condition.ARRAY_FAILED, key, a.tenantId, a.id, a.nodeId,
            what + " FAILED: " + orUnknown(a.failureReason)));
        continue;
      }
      out.add(new Observation(Condition.ARRAY_DEGRADED, key, a.tenantId, a.id, a.nodeId,
          what + " DEGRADED: " + orUnknown(a.failureReason)));
      boolean rebuilding = false;
      for (DriveTroubles.Trouble t : DriveTroubles.in(a.failureReason)) {
        Object[] drive = roleOfSerial.get(t.serial());
        String role = drive == null || drive[0] == null ? "MEMBER" : drive[0].toString();
        UUID nodeOfDrive = drive == null ? a.nodeId : (UUID) drive[1];
        String driveKey = "drive:" + t.serial();
        String line = what + ": drive " + t.serial() + " " + t.state() + (t.why() == null ? "" : ": " + t.why());
        if (!t.failed()) {
          rebuilding = true;
        } else if ("CACHE".equals(role)) {
          out.add(new Observation(Condition.CACHE_SSD_LOST, driveKey, a.tenantId, a.id, nodeOfDrive, line));
        } else if (t.remote()) {
          out.add(new Observation(Condition.MIRROR_LOST, driveKey, a.tenantId, a.id, nodeOfDrive, line));
        } else {
          out.add(new Observation(Condition.DRIVE_FAILED, driveKey, a.tenantId, a.id, nodeOfDrive, line));
        }
      }
      if (rebuilding) {
        out.add(new Observation(Condition.REBUILD_RUNNING, key, a.tenantId, a.id, a.nodeId,
            what + " is rebuilding a drive"));
      }
      if (a.highAvailability && a.failureReason != null && a.failureReason.contains("no healthy standby")) {
        String standby = a.failureReason.substring(a.failureReason.indexOf("no healthy standby"));
        out.add(new Observation(Condition.STANDBY_LOST, key, a.tenantId, a.id, a.nodeId, what + ": " + standby));
      }
    }
  }

  /** serial -> (role, node) of the drives given to these arrays. */
  private Map<String, Object[]> rolesOfSerials(List<StorageArray> arrays) {
    List<UUID> ids = arrays.stream().map(a -> a.id).toList();
    List<Object[]> rows = em.createQuery(
            "select d.serial, ad.role, d.nodeId from ArrayDrive ad, Drive d where ad.driveId = d.id and ad.arrayId in ?1",
            Object[].class)
        .setParameter(1, ids).getResultList();
    Map<String, Object[]> out = new HashMap<>();
    rows.forEach(r -> out.put((String) r[0], new Object[] {r[1], r[2]}));
    return out;
  }

  private void nodes(List<Observation> out) {
    for (Node n : Node.<Node>list("state", NodeState.OFFLINE)) {
      out.add(new Observation(Condition.NODE_OFFLINE, "node:" + n.id, null, null, n.id,
          "node " + n.name + " (" + n.zone + ") is OFFLINE: its agent's heartbeats stopped"));
    }
  }

  private void drives(List<Observation> out) {
    for (Drive d : Drive.<Drive>list("state", DriveState.FAILED)) {
      out.add(new Observation(Condition.DRIVE_FAILED, "drive:" + d.serial, null, null, d.nodeId,
          "drive " + d.serial + " (" + d.type + ") is FAILED"));
    }
  }

  /**
   * Each pool's fill from its newest performance sample ({@link PoolFills}); for an array none of
   * whose pools has one yet (its agent sends no performance), its pools of one tier together from
   * the usage samples ({@link ArrayTierFill}).
   */
  private void poolFill(List<Observation> out) {
    double warning = thresholds.value(Thresholds.POOL_WARNING);
    double critical = thresholds.value(Thresholds.POOL_CRITICAL);
    java.util.Set<UUID> perPool = new java.util.HashSet<>();
    for (PoolFills.Fill f : poolFills.current()) {
      perPool.add(f.arrayId());
      Condition c = fillCondition(f.ratio(), warning, critical);
      if (c != null) {
        out.add(new Observation(c, "pool:" + f.poolId(), f.tenantId(), f.arrayId(), f.nodeId(),
            String.format(java.util.Locale.ROOT, "array %s: pool %s is %.1f%% full (%d of %d bytes)", f.arrayName(),
                f.poolName(), f.ratio() * 100, f.usedBytes(), f.capacityBytes())));
      }
    }
    List<Object[]> rows = em.createQuery(
            "select f, a from ArrayTierFill f, StorageArray a where a.id = f.arrayId and f.capacityBytes > 0"
                + " and a.state not in ?1", Object[].class)
        .setParameter(1, List.of(ArrayState.DELETING, ArrayState.DELETED)).getResultList();
    for (Object[] r : rows) {
      ArrayTierFill f = (ArrayTierFill) r[0];
      StorageArray a = (StorageArray) r[1];
      if (perPool.contains(a.id)) {
        continue;
      }
      double ratio = (double) f.usedBytes / f.capacityBytes;
      Condition c = fillCondition(ratio, warning, critical);
      if (c != null) {
        out.add(new Observation(c, "pool:" + a.id + ":" + f.tier, a.tenantId, a.id, a.nodeId,
            String.format(java.util.Locale.ROOT, "array %s: its %s pools are %.1f%% full (%d of %d bytes)", a.name, f.tier, ratio * 100,
                f.usedBytes, f.capacityBytes)));
      }
    }
  }

  private static Condition fillCondition(double ratio, double warning, double critical) {
    return ratio >= critical ? Condition.POOL_FULL : ratio >= warning ? Condition.POOL_ALMOST_FULL : null;
  }

  /**
   * Pools whose scrub (the running one, or the last) found blocks it could not repair: until a
   * later scrub of the pool finds none, its data may be wrong there.
   */
  private void scrubs(List<Observation> out) {
    List<Object[]> rows = em.createQuery(
            "select pa, p, a from PoolActivity pa, Pool p, StorageArray a where p.id = pa.poolId and a.id = p.arrayId"
                + " and pa.scrubUnrepairableBlocks > 0 and a.state not in ?1", Object[].class)
        .setParameter(1, List.of(ArrayState.DELETING, ArrayState.DELETED)).getResultList();
    for (Object[] r : rows) {
      io.strata.controlplane.domain.PoolActivity pa = (io.strata.controlplane.domain.PoolActivity) r[0];
      io.strata.controlplane.domain.Pool p = (io.strata.controlplane.domain.Pool) r[1];
      StorageArray a = (StorageArray) r[2];
      out.add(new Observation(Condition.SCRUB_UNREPAIRABLE, "pool:" + p.id, a.tenantId, a.id, a.nodeId,
          "array " + a.name + ", pool " + p.name + ": its scrub (" + pa.scrubState + ") found "
              + pa.scrubUnrepairableBlocks + " block(s) it could not repair (" + pa.scrubMismatchedBlocks
              + " mismatched, " + pa.scrubRepairedBlocks + " repaired); data there may be wrong"));
    }
  }

  private void outbox(List<Observation> out, Instant now) {
    Instant oldest = em.createQuery("select min(o.createdAt) from OutboxMessage o where o.publishedAt is null", Instant.class)
        .getSingleResult();
    double limit = thresholds.value(Thresholds.OUTBOX_AGE);
    if (oldest != null && Duration.between(oldest, now).toSeconds() > limit) {
      out.add(new Observation(Condition.OUTBOX_STUCK, "outbox", null, null, null,
          "the oldest unpublished outbox message waits since " + oldest + " (more than " + (long) limit + " s)"));
    }
  }

  private void meteringLag(List<Observation> out, Long lag) {
    double limit = thresholds.value(Thresholds.METERING_LAG);
    if (lag != null && lag > limit) {
      out.add(new Observation(Condition.METERING_LAG, "metering", null, null, null,
          "billing's consumer group lags " + lag + " usage messages behind (more than " + (long) limit + ")"));
    }
  }

  private static String orUnknown(String reason) {
    return reason == null ? "no reason reported" : reason;
  }
}
