package io.strata.billing.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** The rates of a plan from {@code effectiveFrom} until the next version takes effect. */
@Entity
@Table(name = "price_plan_version")
public class PricePlanVersion extends PanacheEntityBase {

  @Id
  @GeneratedValue(generator = "price_plan_version_seq")
  @SequenceGenerator(name = "price_plan_version_seq", sequenceName = "price_plan_version_seq", allocationSize = 50)
  public Long id;

  @ManyToOne(optional = false)
  @JoinColumn(name = "plan_id")
  public PricePlan plan;

  @Column(name = "effective_from", nullable = false)
  public Instant effectiveFrom;

  /** Rate per billing unit, by resource key ({@code storage:SSD}, {@code engine:small}, {@code io}, {@code transfer}). */
  @ElementCollection(fetch = FetchType.EAGER)
  @CollectionTable(name = "price_rate", joinColumns = @JoinColumn(name = "version_id"))
  @MapKeyColumn(name = "resource")
  @Column(name = "rate", nullable = false)
  public Map<String, BigDecimal> rates = new TreeMap<>();
}
