package io.strata.controlplane.scheduler;

import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.NodeState;
import java.util.List;
import java.util.UUID;

/**
 * A node's state for one placement decision: its capacity, what the engines already on it
 * reserve, and its free drives. Built from the database (later refreshed by agent reports).
 */
public record NodeView(
    UUID id,
    String name,
    String zone,
    NodeState state,
    int cpuCores,
    int memoryGib,
    int reservedVcpus,
    int reservedMemoryGib,
    List<DriveView> freeDrives) {

  public NodeView {
    freeDrives = List.copyOf(freeDrives);
  }

  public int freeVcpus() {
    return cpuCores - reservedVcpus;
  }

  public int freeMemoryGib() {
    return memoryGib - reservedMemoryGib;
  }

  /** This node in another state (a placement takes a silent ONLINE node for OFFLINE). */
  public NodeView withState(NodeState other) {
    return new NodeView(id, name, zone, other, cpuCores, memoryGib, reservedVcpus, reservedMemoryGib, freeDrives);
  }

  /** This node as it would be without the share of an engine it holds now. */
  public NodeView releasing(int releasedVcpus, int releasedMemoryGib) {
    return new NodeView(id, name, zone, state, cpuCores, memoryGib, reservedVcpus - releasedVcpus,
        reservedMemoryGib - releasedMemoryGib, freeDrives);
  }

  public long freeDriveCount(DriveType type) {
    return freeDrives.stream().filter(d -> d.type() == type).count();
  }
}
