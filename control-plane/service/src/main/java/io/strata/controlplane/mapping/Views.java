package io.strata.controlplane.mapping;

import io.strata.controlplane.domain.ArrayDrive;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.Operation;
import io.strata.controlplane.domain.Pool;
import io.strata.controlplane.domain.Quota;
import io.strata.controlplane.domain.Server;
import io.strata.controlplane.domain.Snapshot;
import io.strata.controlplane.domain.SnapshotPolicy;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.Tenant;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.rest.dto.ArrayDtos.ArrayDriveView;
import io.strata.controlplane.rest.dto.ArrayDtos.ArrayView;
import io.strata.controlplane.rest.dto.ArrayDtos.EngineView;
import java.util.List;
import io.strata.controlplane.rest.dto.CommonDtos.OperationView;
import io.strata.controlplane.rest.dto.OperatorDtos.NodeView;
import io.strata.controlplane.rest.dto.OperatorDtos.QuotaBody;
import io.strata.controlplane.rest.dto.OperatorDtos.TenantView;
import io.strata.controlplane.rest.dto.PoolDtos.PoolView;
import io.strata.controlplane.rest.dto.ServerDtos.ServerView;
import io.strata.controlplane.rest.dto.SnapshotDtos.PolicyView;
import io.strata.controlplane.rest.dto.SnapshotDtos.SnapshotView;
import io.strata.controlplane.rest.dto.VolumeDtos.VolumeView;

/** Entity → API representation. Secrets never leave through here. */
public final class Views {
  private Views() {}

  public static ArrayView array(StorageArray a, String nodeAddress) {
    return array(a, nodeAddress, List.of());
  }

  /** An array with its engines ({@code engines}: empty for a single-engine array). */
  public static ArrayView array(StorageArray a, String nodeAddress, List<EngineView> engines) {
    return new ArrayView(
        a.id, a.name, a.engineSize, a.engineSize.vcpus(), a.engineSize.memoryGib(), a.spread, a.state,
        a.failureReason, a.targetIqn,
        nodeAddress == null || a.portalPort == null ? null : nodeAddress + ":" + a.portalPort,
        a.createdAt, a.updatedAt, a.highAvailability, engines, a.highAvailability ? a.haEpoch : null);
  }

  public static ArrayDriveView arrayDrive(ArrayDrive ad, Drive d) {
    return new ArrayDriveView(ad.id, d.id, d.type, d.capacityGib, ad.poolId, ad.role);
  }

  public static PoolView pool(Pool p) {
    return pool(p, io.strata.controlplane.domain.PoolActivity.findById(p.id));
  }

  /** The pool with what its engine last reported of its rebuild and scrub ({@code activity}, or null). */
  public static PoolView pool(Pool p, io.strata.controlplane.domain.PoolActivity activity) {
    return new PoolView(
        p.id, p.arrayId, p.name, p.driveType, p.protection, p.cacheMode, p.tiering, p.usableGib(), p.capacityGib,
        p.createdAt,
        new io.strata.controlplane.rest.dto.PoolDtos.ScrubView(p.scrubEveryDays, p.scrubRateMbps, p.scrubRequestId,
            p.scrubRequestedAt),
        new io.strata.controlplane.rest.dto.PoolDtos.RestripeView(p.restripeRateMbps),
        rebuild(activity), lastScrub(activity), p.encrypted);
  }

  /** The rebuild the pool's engine last reported running, or null. */
  static io.strata.controlplane.rest.dto.PoolDtos.RebuildView rebuild(io.strata.controlplane.domain.PoolActivity a) {
    if (a == null || !a.rebuilding()) {
      return null;
    }
    long done = a.rebuildBytesDone == null ? 0 : a.rebuildBytesDone;
    long total = a.rebuildBytesTotal == null ? 0 : a.rebuildBytesTotal;
    return new io.strata.controlplane.rest.dto.PoolDtos.RebuildView(a.rebuildKind, a.rebuildMember, a.rebuildDriveId,
        done, total, percent(done, total), a.rebuildFailedAttempts == null ? 0 : a.rebuildFailedAttempts,
        a.rebuildError, a.reportedAt);
  }

  /** The scrub the pool's engine last reported (running or finished), or null. */
  static io.strata.controlplane.rest.dto.PoolDtos.LastScrubView lastScrub(io.strata.controlplane.domain.PoolActivity a) {
    if (a == null || a.scrubState == null) {
      return null;
    }
    long done = orZero(a.scrubRowsDone);
    long rows = orZero(a.scrubRows);
    return new io.strata.controlplane.rest.dto.PoolDtos.LastScrubView(a.scrubRequestId, a.scrubState, done, rows,
        percent(done, rows), orZero(a.scrubMismatchedBlocks), orZero(a.scrubRepairedBlocks),
        orZero(a.scrubUnrepairableBlocks), orZero(a.scrubSkippedRows), a.scrubStartedAt, a.scrubFinishedAt,
        a.scrubError, a.reportedAt);
  }

  /** {@code done} of {@code total} in percent with one decimal, rounded down (100 only when done). */
  static double percent(long done, long total) {
    return total <= 0 ? 100 : Math.floor(Math.min(1.0, (double) done / total) * 1000) / 10;
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }

  public static VolumeView volume(Volume v) {
    return new VolumeView(
        v.id, v.arrayId, v.poolId, v.name, v.sizeGib, v.thin, v.qosIopsLimit, v.qosMbpsLimit, v.multiAttach,
        v.tierPin, v.sourceSnapshotId, v.state, v.failureReason, v.createdAt, v.updatedAt, v.recycledAt,
        v.purgeAt, move(v), v.encrypted, v.keyState, v.keyStateReason);
  }

  /** The volume's move, or null when it is not moving. */
  static io.strata.controlplane.rest.dto.VolumeDtos.MoveView move(Volume v) {
    if (v.moveFromPoolId == null) {
      return null;
    }
    int percent = v.moveTotalExtents <= 0 ? 0 : (int) Math.min(100, v.moveCopiedExtents * 100 / v.moveTotalExtents);
    return new io.strata.controlplane.rest.dto.VolumeDtos.MoveView(v.moveFromPoolId, v.poolId, percent,
        v.moveCopiedExtents, v.moveTotalExtents, v.moveStoppedReason, v.moveStartedAt, v.moveCancelling);
  }

  public static SnapshotView snapshot(Snapshot s) {
    return new SnapshotView(s.id, s.volumeId, s.policyId, s.name, s.sizeGib, s.state, s.failureReason, s.createdAt);
  }

  public static PolicyView policy(SnapshotPolicy p) {
    return new PolicyView(p.id, p.volumeId, p.name, p.intervalMinutes, p.retain, p.enabled, p.lastRunAt, p.createdAt);
  }

  public static ServerView server(Server s) {
    return new ServerView(s.id, s.name, s.iqn, s.chapUser, s.mutualChapUser, s.createdAt);
  }

  public static OperationView operation(Operation o) {
    return new OperationView(
        o.id, o.kind, o.targetType, o.targetId, o.state, o.error, o.requestedBy, o.createdAt, o.updatedAt);
  }

  public static QuotaBody quota(Quota q) {
    return q == null ? null : new QuotaBody(q.maxArrays, q.maxSsdDrives, q.maxHddDrives, q.maxCapacityGib);
  }

  public static TenantView tenant(Tenant t, Quota q) {
    return new TenantView(t.id, t.alias, t.displayName, t.state, quota(q), t.createdAt);
  }

  public static NodeView node(Node n) {
    return new NodeView(
        n.id, n.name, n.zone, n.address, n.cpuCores, n.memoryGib, n.state, n.lastHeartbeatAt, n.createdAt);
  }
}
