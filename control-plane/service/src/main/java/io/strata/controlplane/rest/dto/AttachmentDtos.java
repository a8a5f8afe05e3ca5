package io.strata.controlplane.rest.dto;

import io.strata.controlplane.domain.AttachmentState;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

public final class AttachmentDtos {
  private AttachmentDtos() {}

  public record AttachmentCreate(
      @NotNull UUID volumeId, @NotNull UUID serverId, @Min(0) @Max(255) Integer lun, Boolean readOnly) {}

  /** What an initiator needs to log in and find the LUN; secrets are the tenant's own. */
  public record Connection(
      List<String> portals,
      String targetIqn,
      int lun,
      String initiatorIqn,
      String authMethod,
      String chapUser,
      String mutualChapUser) {}

  public record AttachmentView(
      UUID id,
      UUID volumeId,
      UUID serverId,
      int lun,
      boolean readOnly,
      AttachmentState state,
      String failureReason,
      Connection connection,
      Instant createdAt) {}
}
