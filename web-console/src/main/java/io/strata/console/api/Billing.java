package io.strata.console.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What the console reads from billing (billing service, rest/InvoiceViews and PlanViews). Money stays exact decimal. */
public final class Billing {
  private Billing() {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Line(
      int lineNo, String arrayId, String resource, String usagePeriod, boolean adjustment, String description,
      String planName, BigDecimal quantity, String unit, BigDecimal rate, BigDecimal amount) {}

  /** A closed invoice ({@code CLOSED}) or the month so far ({@code RUNNING}): one shape. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Invoice(
      Long id, String tenantId, String period, String status, String currency, BigDecimal total, Instant closedAt,
      String closedBy, List<Line> lines) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record InvoiceSummary(
      long id, String tenantId, String period, String currency, BigDecimal total, Instant closedAt, int lines) {}

  /** Metered usage of one resource of one array in one hour. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record HourlyUsage(String arrayId, String resource, Instant hour, BigDecimal quantity, String unit) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PlanVersion(long id, Instant effectiveFrom, Map<String, BigDecimal> rates) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PricePlan(long id, String name, String currency, boolean isDefault, List<PlanVersion> versions) {}

  /** A new plan (billing PlanViews.NewPlan): rates per resource key, kept as exact decimals. */
  public record NewPlan(String name, String currency, boolean isDefault, Instant effectiveFrom, Map<String, BigDecimal> rates) {}

  public record NewPlanVersion(Instant effectiveFrom, Map<String, BigDecimal> rates) {}

  /** One tenant's outcome of closing a period for everyone. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record CloseOutcome(String tenantId, Long invoiceId, boolean newlyClosed, String problem) {}
}
