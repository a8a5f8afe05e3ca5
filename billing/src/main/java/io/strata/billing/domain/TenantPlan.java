package io.strata.billing.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

/** A tenant is on {@code plan} from {@code effectiveFrom} until its next assignment; before any, on the default plan. */
@Entity
@Table(name = "tenant_plan")
public class TenantPlan extends PanacheEntityBase {

  @Id
  @GeneratedValue(generator = "tenant_plan_seq")
  @SequenceGenerator(name = "tenant_plan_seq", sequenceName = "tenant_plan_seq", allocationSize = 50)
  public Long id;

  @Column(name = "tenant_id", nullable = false)
  public String tenantId;

  @ManyToOne(optional = false)
  @JoinColumn(name = "plan_id")
  public PricePlan plan;

  @Column(name = "effective_from", nullable = false)
  public Instant effectiveFrom;

  public static List<TenantPlan> forTenant(String tenantId) {
    return list("tenantId = ?1 order by effectiveFrom", tenantId);
  }
}
