package io.strata.controlplane.alerts;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

/** An array's pools of one tier (SSD, HDD): their capacity and space written, from its node's last usage sample. */
@Entity
@Table(name = "array_tier_fill")
@IdClass(ArrayTierFill.Key.class)
public class ArrayTierFill extends PanacheEntityBase {
  @Id
  @Column(name = "array_id")
  public UUID arrayId;

  @Id public String tier;

  @Column(name = "capacity_bytes", nullable = false)
  public long capacityBytes;

  @Column(name = "used_bytes", nullable = false)
  public long usedBytes;

  @Column(name = "sampled_at", nullable = false)
  public Instant sampledAt;

  /** The composite id (array, tier). */
  public static class Key implements Serializable {
    public UUID arrayId;
    public String tier;

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && java.util.Objects.equals(arrayId, k.arrayId) && java.util.Objects.equals(tier, k.tier);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(arrayId, tier);
    }
  }
}
