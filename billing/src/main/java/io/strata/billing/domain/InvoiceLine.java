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
import java.math.BigDecimal;

/** One frozen line: quantity x rate = amount, rounded as docs/billing.md says. */
@Entity
@Table(name = "invoice_line")
public class InvoiceLine extends PanacheEntityBase {

  @Id
  @GeneratedValue(generator = "invoice_line_seq")
  @SequenceGenerator(name = "invoice_line_seq", sequenceName = "invoice_line_seq", allocationSize = 50)
  public Long id;

  @ManyToOne(optional = false)
  @JoinColumn(name = "invoice_id")
  public Invoice invoice;

  @Column(name = "line_no", nullable = false)
  public int lineNo;

  @Column(name = "array_id", nullable = false)
  public String arrayId;

  @Column(nullable = false)
  public String resource;

  /** The month the usage happened in; before the invoice's own period for adjustment lines. */
  @Column(name = "usage_period", nullable = false, length = 7)
  public String usagePeriod;

  @Column(nullable = false)
  public boolean adjustment;

  @Column(nullable = false)
  public String description;

  @Column(name = "plan_name", nullable = false)
  public String planName;

  @Column(nullable = false)
  public BigDecimal quantity;

  @Column(nullable = false)
  public String unit;

  @Column(nullable = false)
  public BigDecimal rate;

  @Column(nullable = false)
  public BigDecimal amount;
}
