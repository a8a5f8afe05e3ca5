package io.strata.controlplane.service;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Attachment;
import io.strata.controlplane.domain.AttachmentState;
import io.strata.controlplane.domain.Operation;
import io.strata.controlplane.domain.Snapshot;
import io.strata.controlplane.domain.SnapshotState;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.TenantLifecycleEntity;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.rest.problem.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.util.UUID;

/**
 * The way back from FAILED that a person asks for (issue 16): a retry moves a FAILED object to
 * the in-progress state it failed from the way to (an array PROVISIONING, a volume or snapshot
 * CREATING, an attachment ATTACHING; a failed removal DELETING or DETACHING again), sends the
 * array's desired state again and starts an Operation that the node's report completes. The
 * watchdog covers the in-progress state as for any request: no answer in time fails it again,
 * with the reason. Audited, as the tenant's admin or the operator who asked.
 *
 * <p>The other way back needs nobody: an object whose cause went away returns to its normal
 * state when its node reports it serving (ProvisioningEvents, NodeReports).
 */
@ApplicationScoped
@Transactional
public class Recovery {

  /** The kinds of object that can be FAILED, by the name of their collection in the API. */
  public enum Kind {
    ARRAY("arrays", "array"),
    VOLUME("volumes", "volume"),
    SNAPSHOT("snapshots", "snapshot"),
    ATTACHMENT("attachments", "attachment");

    public final String collection;
    public final String name;

    Kind(String collection, String name) {
      this.collection = collection;
      this.name = name;
    }

    public static Kind ofCollection(String collection) {
      for (Kind k : values()) {
        if (k.collection.equals(collection)) {
          return k;
        }
      }
      throw ApiException.notFound("kind", collection);
    }
  }

  @Inject CommandOutbox outbox;
  @Inject Operations operations;
  @Inject AuditLog audit;

  /**
   * Retries the FAILED object {@code id} of {@code kind}. {@code tenantId}: the caller's tenant
   * (another tenant's object is not found), or null for an operator, who may retry any tenant's.
   * 409 when the object is not FAILED, or when what it needs is not there (its array or volume).
   */
  public Operation retry(Actor by, UUID tenantId, Kind kind, UUID id) {
    TenantLifecycleEntity failed = switch (kind) {
      case ARRAY -> retryArray(load(StorageArray.class, kind, tenantId, id));
      case VOLUME -> retryVolume(load(Volume.class, kind, tenantId, id));
      case SNAPSHOT -> retrySnapshot(load(Snapshot.class, kind, tenantId, id));
      case ATTACHMENT -> retryAttachment(load(Attachment.class, kind, tenantId, id));
    };
    failed.failureReason = null;
    Operation op = operations.start(by.name(), failed.tenantId, kind.name + ".retry", kind.name, failed.id);
    audit.record(by, failed.tenantId, kind.name + ".retry", kind.name, failed.id);
    return op;
  }

  private StorageArray retryArray(StorageArray a) {
    requireFailed(a.state == ArrayState.FAILED, Kind.ARRAY, a.state);
    if (a.failedWhileRemoved()) {
      a.moveTo(ArrayState.DELETING, "delete retried");
    } else if (a.nodeId == null) {
      throw ApiException.conflict("not-retryable", "the array was never placed on a node; delete it and create it again");
    } else if (ArrayState.HIBERNATING.name().equals(a.failedFrom) || ArrayState.RESUMING.name().equals(a.failedFrom)
        || ArrayState.RESIZING.name().equals(a.failedFrom)) {
      // issue 18: what it failed doing (stopping, starting, resizing its engine) is asked again
      a.moveTo(ArrayState.valueOf(a.failedFrom), "retried: its desired state is sent again");
    } else {
      a.moveTo(ArrayState.PROVISIONING, "retried: its desired state is sent again");
    }
    outbox.arrayChanged(a);
    return a;
  }

  private Volume retryVolume(Volume v) {
    requireFailed(v.state == VolumeState.FAILED, Kind.VOLUME, v.state);
    StorageArray a = acceptingArray(v.arrayId, "volume");
    v.moveTo(v.failedWhileRemoved() ? VolumeState.DELETING : VolumeState.CREATING, "retried");
    outbox.arrayChanged(a);
    return v;
  }

  private Snapshot retrySnapshot(Snapshot s) {
    requireFailed(s.state == SnapshotState.FAILED, Kind.SNAPSHOT, s.state);
    Volume v = Volume.findById(s.volumeId);
    if (v.state == VolumeState.DELETING || v.state == VolumeState.DELETED || v.failedWhileRemoved()) {
      throw ApiException.conflict("not-retryable", "the snapshot's volume is being deleted");
    }
    StorageArray a = acceptingArray(v.arrayId, "snapshot");
    s.moveTo(s.failedWhileRemoved() ? SnapshotState.DELETING : SnapshotState.CREATING, "retried");
    outbox.arrayChanged(a);
    return s;
  }

  private Attachment retryAttachment(Attachment at) {
    requireFailed(at.state == AttachmentState.FAILED, Kind.ATTACHMENT, at.state);
    StorageArray a = acceptingArray(at.arrayId, "attachment");
    if (!at.failedWhileRemoved() && !at.holdsLun()) {
      requireLunStillFree(at); // it failed before FAILED attachments kept their LUN
    }
    at.moveTo(at.failedWhileRemoved() ? AttachmentState.DETACHING : AttachmentState.ATTACHING, "retried");
    outbox.arrayChanged(a);
    return at;
  }

  /** An attachment that held no LUN while FAILED may have lost its server's place or its number. */
  private static void requireLunStillFree(Attachment at) {
    long clashes = Counts.of(Attachment.class, "from Attachment a where a.id <> ?1 and " + Attachment.holdingLun("a")
        + " and ((a.volumeId = ?2 and (a.serverId = ?3 or a.lun <> ?4)) or (a.arrayId = ?5 and a.lun = ?4 and a.volumeId <> ?2))",
        at.id, at.volumeId, at.serverId, at.lun, at.arrayId);
    if (clashes > 0) {
      throw ApiException.conflict("not-retryable",
          "LUN " + at.lun + " of this attachment, or its volume's place on the server, is now held by another attachment;"
              + " detach this one and attach the volume again");
    }
  }

  private static StorageArray acceptingArray(UUID arrayId, String what) {
    StorageArray a = StorageArray.findById(arrayId, LockModeType.PESSIMISTIC_WRITE);
    if (!a.state.acceptsChanges()) {
      throw ApiException.conflict("array-not-accepting",
          "cannot retry the " + what + ": its array is " + a.state + (a.state == ArrayState.FAILED ? "; retry the array first" : ""));
    }
    return a;
  }

  private static void requireFailed(boolean isFailed, Kind kind, Enum<?> state) {
    if (!isFailed) {
      throw ApiException.conflict("not-failed", "only a FAILED " + kind.name + " can be retried; this one is " + state);
    }
  }

  private static <E extends PanacheEntityBase & io.strata.controlplane.domain.TenantOwned> E load(Class<E> type, Kind kind, UUID tenantId, UUID id) {
    if (tenantId != null) {
      return Owned.lock(type, kind.name, tenantId, id);
    }
    E e = io.quarkus.hibernate.orm.panache.Panache.getEntityManager().find(type, id, LockModeType.PESSIMISTIC_WRITE);
    if (e == null) {
      throw ApiException.notFound(kind.name, id);
    }
    return e;
  }
}
