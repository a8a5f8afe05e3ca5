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

/** A storage node and its agent. */
@Entity
public class Node extends PanacheEntityBase {
  @Id public UUID id;

  @Column(nullable = false, unique = true)
  public String name;

  /** Fault domain above the node (rack, room, availability zone). */
  @Column(nullable = false)
  public String zone;

  /** Host name or IP address at which the node's portals are reached. */
  @Column(nullable = false)
  public String address;

  /**
   * Port (on {@link #address}) of the node's drive export service, through which engines on other
   * nodes reach the drives it lends them; 0 when the node exports no drives.
   */
  @Column(name = "drive_portal_port", nullable = false)
  public int drivePortalPort;

  @Column(name = "cpu_cores", nullable = false)
  public int cpuCores;

  @Column(name = "memory_gib", nullable = false)
  public int memoryGib;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public NodeState state;

  @Column(name = "last_heartbeat_at")
  public Instant lastHeartbeatAt;

  /** The partition of strata.events this node's reports arrive on (null until its first heartbeat). */
  @Column(name = "events_partition")
  public Integer eventsPartition;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Version public long version;
}
