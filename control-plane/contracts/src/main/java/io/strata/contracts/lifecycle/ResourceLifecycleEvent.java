package io.strata.contracts.lifecycle;

import java.time.Instant;
import java.util.Objects;

/**
 * A billable object came into being, changed size or went away. Published by the control plane
 * on {@code strata.events} (source {@code control-plane}, its outbox sequence; subject
 * {@code array/<id>} or {@code volume/<id>}; Kafka key: the array id) once the change is done,
 * not when it is requested.
 *
 * @param resource what kind of object
 * @param change what happened to it
 * @param tenantId the owning tenant
 * @param arrayId the array (for a volume: the array that holds it)
 * @param volumeId the volume's id; null for an array
 * @param engineSize for an array: its engine size after the change; null for a volume
 * @param sizeBytes for a volume: its provisioned size in bytes after the change (0 when deleted); null for an array
 * @param occurredAt when the change took effect
 */
public record ResourceLifecycleEvent(
    Resource resource,
    Change change,
    String tenantId,
    String arrayId,
    String volumeId,
    String engineSize,
    Long sizeBytes,
    Instant occurredAt) {

  public ResourceLifecycleEvent {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(change, "change");
    Objects.requireNonNull(occurredAt, "occurredAt");
    if (tenantId == null || tenantId.isBlank()) {
      throw new IllegalArgumentException("tenantId is required");
    }
    if (arrayId == null || arrayId.isBlank()) {
      throw new IllegalArgumentException("arrayId is required");
    }
    if (resource == Resource.VOLUME && (volumeId == null || volumeId.isBlank())) {
      throw new IllegalArgumentException("a volume event needs volumeId");
    }
    if (sizeBytes != null && sizeBytes < 0) {
      throw new IllegalArgumentException("sizeBytes cannot be negative");
    }
  }

  /** The kinds of billable object. */
  public enum Resource {
    ARRAY,
    VOLUME
  }

  /** What happened. */
  public enum Change {
    CREATED,
    RESIZED,
    DELETED
  }
}
