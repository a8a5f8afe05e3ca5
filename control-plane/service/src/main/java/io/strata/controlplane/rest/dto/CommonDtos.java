package io.strata.controlplane.rest.dto;

import io.strata.controlplane.domain.OperationState;
import java.time.Instant;
import java.util.UUID;

public final class CommonDtos {
  private CommonDtos() {}

  public record OperationView(
      UUID id, String kind, String targetType, UUID targetId, OperationState state, String error,
      String requestedBy, Instant createdAt, Instant updatedAt) {}

  /** An accepted asynchronous change: the object as it is now and the operation to poll. */
  public record Accepted<T>(T object, UUID operationId) {}

  public record UsageView(
      long arrays, long ssdDrives, long hddDrives, long volumes, long provisionedGib, long snapshots,
      long servers, long attachments, OperatorDtos.QuotaBody quota) {}
}
