package io.strata.controlplane.scheduler;

import io.strata.controlplane.domain.DriveType;
import java.util.UUID;

/** A free (or already held) drive as the scheduler sees it. */
public record DriveView(UUID id, UUID nodeId, String zone, DriveType type, long capacityGib) {}
