package io.strata.billing.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.CascadeType;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A closed, frozen monthly invoice of one tenant. Never changed after it is written. */
@Entity
@Table(name = "invoice")
public class Invoice extends PanacheEntityBase {

  @Id
  @GeneratedValue(generator = "invoice_seq")
  @SequenceGenerator(name = "invoice_seq", sequenceName = "invoice_seq", allocationSize = 50)
  public Long id;

  @Column(name = "tenant_id", nullable = false)
  public String tenantId;

  /** The month, {@code YYYY-MM}, UTC. */
  @Column(nullable = false, length = 7)
  public String period;

  @Column(nullable = false, length = 3)
  public String currency;

  @Column(nullable = false)
  public BigDecimal total;

  @Column(name = "closed_at", nullable = false)
  public Instant closedAt;

  @Column(name = "closed_by", nullable = false)
  public String closedBy;

  @OneToMany(mappedBy = "invoice", cascade = CascadeType.ALL)
  @OrderBy("lineNo")
  public List<InvoiceLine> lines = new ArrayList<>();

  public static Optional<Invoice> findFor(String tenantId, String period) {
    return find("tenantId = ?1 and period = ?2", tenantId, period).firstResultOptional();
  }
}
