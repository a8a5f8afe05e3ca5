package io.strata.controlplane.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import java.util.UUID;

/** What one tenant may hold: arrays, drives per type and provisioned volume capacity. */
@Entity
public class Quota extends PanacheEntityBase {
  @Id
  @Column(name = "tenant_id")
  public UUID tenantId;

  @Column(name = "max_arrays", nullable = false)
  public int maxArrays;

  @Column(name = "max_ssd_drives", nullable = false)
  public int maxSsdDrives;

  @Column(name = "max_hdd_drives", nullable = false)
  public int maxHddDrives;

  @Column(name = "max_capacity_gib", nullable = false)
  public long maxCapacityGib;

  @Version public long version;

  public int maxDrives(DriveType type) {
    return type == DriveType.SSD ? maxSsdDrives : maxHddDrives;
  }
}
