package io.strata.controlplane.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import java.util.UUID;

/** A volume exposed to one server as a LUN of its array's target. */
@Entity
public class Attachment extends TenantLifecycleEntity {
  @Column(name = "volume_id", nullable = false)
  public UUID volumeId;

  @Column(name = "server_id", nullable = false)
  public UUID serverId;

  @Column(name = "array_id", nullable = false)
  public UUID arrayId;

  @Column(nullable = false)
  public int lun;

  @Column(name = "read_only", nullable = false)
  public boolean readOnly;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public AttachmentState state;

  /** Whether it holds its LUN: active, or FAILED while attaching or attached (it is to be exported again). */
  public boolean holdsLun() {
    return state.isActive() || (state == AttachmentState.FAILED && HOLDING_WHEN_FAILED.contains(failedFrom));
  }

  /** The states from which a FAILED attachment still holds its LUN (the V8 migration's constraints say the same). */
  public static final java.util.Set<String> HOLDING_WHEN_FAILED =
      java.util.Set.of(AttachmentState.ATTACHING.name(), AttachmentState.ATTACHED.name());

  /** JPQL: the attachments {@code alias} that hold their LUN (for queries; see {@link #holdsLun()}). */
  public static String holdingLun(String alias) {
    return "(" + alias + ".state in (io.strata.controlplane.domain.AttachmentState.ATTACHING, "
        + "io.strata.controlplane.domain.AttachmentState.ATTACHED, io.strata.controlplane.domain.AttachmentState.DETACHING)"
        + " or (" + alias + ".state = io.strata.controlplane.domain.AttachmentState.FAILED and " + alias
        + ".failedFrom in ('ATTACHING', 'ATTACHED')))";
  }

  public void moveTo(AttachmentState next, String reason) {
    state = transition(AttachmentState.MACHINE, state, next, reason);
  }
}
