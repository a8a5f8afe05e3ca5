package io.strata.contracts.event;

import io.strata.contracts.command.ArrayDesiredState.DriveType;
import java.util.List;

/**
 * An agent announces its node and what it found there (event {@link Events#NODE_ENROLLED}), on
 * every start. The control plane creates or updates the node and its drives.
 *
 * @param nodeId the agent's node id (the key of its commands)
 * @param zone the fault domain above the node
 * @param address where the node's portals are reached
 * @param cpuCores CPU cores of the node
 * @param memoryMib memory of the node
 * @param drives the drives found
 * @param isolation what isolation the host allows engines
 * @param agentVersion the agent's build version
 * @param drivePortalPort the port, on {@code address}, of the node's drive export service, which
 *     lends its drives to engines on other nodes over iSCSI; 0 when the node exports no drives
 */
public record NodeEnrolled(
    String nodeId,
    String zone,
    String address,
    int cpuCores,
    long memoryMib,
    List<Drive> drives,
    Isolation isolation,
    String agentVersion,
    int drivePortalPort) {

  public NodeEnrolled {
    drives = drives == null ? List.of() : List.copyOf(drives);
    if (drivePortalPort < 0 || drivePortalPort > 65535) {
      throw new IllegalArgumentException("drivePortalPort must be 0..65535, was " + drivePortalPort);
    }
  }

  /** A node that exports no drives. */
  public NodeEnrolled(
      String nodeId, String zone, String address, int cpuCores, long memoryMib, List<Drive> drives,
      Isolation isolation, String agentVersion) {
    this(nodeId, zone, address, cpuCores, memoryMib, drives, isolation, agentVersion, 0);
  }

  /** A drive as the agent sees it; the serial is unique across all nodes. */
  public record Drive(String serial, DriveType type, long capacityGib, String path) {}

  /**
   * What the host lets the agent do to keep engines apart.
   *
   * @param ownProcess always true: every engine is its own OS process
   * @param cgroups e.g. {@code v1}, {@code v2} or {@code none}
   * @param cgroupLimits whether CPU and memory limits are applied to engines
   * @param networkNamespaces whether engines get their own network namespace
   * @param notes why something is not available, for the operator
   */
  public record Isolation(
      boolean ownProcess, String cgroups, boolean cgroupLimits, boolean networkNamespaces, List<String> notes) {
    public Isolation {
      notes = notes == null ? List.of() : List.copyOf(notes);
    }
  }
}
