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

  public void moveTo(AttachmentState next, String reason) {
    state = transition(AttachmentState.MACHINE, state, next, reason);
  }
}
