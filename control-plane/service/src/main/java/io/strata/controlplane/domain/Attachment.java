package io.strata.controlplane.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** A volume exposed to one server as a LUN of its array's target. */
@Entity
public class Attachment extends PanacheEntityBase {
  @Id public UUID id;

  @Column(name = "tenant_id", nullable = false)
  public UUID tenantId;

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

  @Column(name = "failure_reason")
  public String failureReason;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  @Version public long version;

  public void moveTo(AttachmentState next, String reason) {
    state = AttachmentState.MACHINE.require(state, next, reason);
    updatedAt = Instant.now();
  }
}
