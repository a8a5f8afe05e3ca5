package io.strata.billing.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.CascadeType;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A named price list in one currency, made of versions that take effect at given instants. */
@Entity
@Table(name = "price_plan")
public class PricePlan extends PanacheEntityBase {

  @Id
  @GeneratedValue(generator = "price_plan_seq")
  @SequenceGenerator(name = "price_plan_seq", sequenceName = "price_plan_seq", allocationSize = 50)
  public Long id;

  @Column(nullable = false, unique = true)
  public String name;

  @Column(nullable = false, length = 3)
  public String currency;

  @Column(name = "is_default", nullable = false)
  public boolean isDefault;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @OneToMany(mappedBy = "plan", cascade = CascadeType.ALL, fetch = FetchType.EAGER)
  @OrderBy("effectiveFrom")
  public List<PricePlanVersion> versions = new ArrayList<>();

  public static Optional<PricePlan> findDefault() {
    return find("isDefault", true).firstResultOptional();
  }

  public static Optional<PricePlan> findByName(String name) {
    return find("name", name).firstResultOptional();
  }
}
