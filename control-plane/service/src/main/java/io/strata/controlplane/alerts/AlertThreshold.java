package io.strata.controlplane.alerts;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A number an alert condition compares against, changed by operators (PUT /api/v1/admin/alert-thresholds/{name}). */
@Entity
@Table(name = "alert_threshold")
public class AlertThreshold extends PanacheEntityBase {
  @Id public String name;

  @Column(nullable = false)
  public double value;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  @Column(name = "updated_by", nullable = false)
  public String updatedBy;
}
