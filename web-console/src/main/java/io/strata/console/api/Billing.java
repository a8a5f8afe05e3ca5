package io.strata.console.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What the console reads from billing (billing service, /api/v1). Money stays exact decimal. */
public final class Billing {
  private Billing() {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Line(String resource, BigDecimal quantity, String unit, BigDecimal rate, BigDecimal amount) {}

  /** The tenant's cost so far in the open period. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RunningCost(String tenant, String period, String currency, BigDecimal amount, List<Line> lines) {}

  /** One point of a cost-over-time series (per day, by resource). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record CostPoint(LocalDate day, String resource, BigDecimal quantity, String unit, BigDecimal amount) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Invoice(
      UUID id, String tenant, String period, String state, String currency, BigDecimal total, List<Line> lines,
      Instant closedAt) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record InvoicePage(List<Invoice> items, String nextCursor) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PricePlan(
      UUID id, String name, String currency, boolean isDefault, LocalDate effectiveFrom, LocalDate effectiveTo,
      Map<String, BigDecimal> rates) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PlanPage(List<PricePlan> items, String nextCursor) {}
}
