package io.strata.billing.rest;

import io.strata.billing.domain.PricePlan;
import io.strata.billing.domain.TenantPlan;
import io.strata.billing.rating.Money;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Request and response bodies of the price plan API. */
public final class PlanViews {

  /**
   * A new plan. Rates are per billing unit, keyed by resource: {@code storage:SSD} and
   * {@code storage:HDD} per GB-hour, {@code engine:<size>} per engine-hour, {@code io} per million
   * I/Os, {@code transfer} per GB. Send them as JSON strings or numbers; they are kept exactly,
   * within the bounds of the money columns ({@link Money#RATE_BOUNDS_MESSAGE}).
   */
  public record NewPlan(
      @NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}", message = "must be lower-case letters, digits and dashes") String name,
      @NotBlank @Pattern(regexp = "[A-Z]{3}", message = "must be an ISO 4217 code") String currency,
      boolean isDefault,
      @NotNull Instant effectiveFrom,
      @NotEmpty Map<String, @NotNull @PositiveOrZero @Digits(integer = Money.RATE_INTEGER_DIGITS,
          fraction = Money.RATE_FRACTION_DIGITS, message = Money.RATE_BOUNDS_MESSAGE) BigDecimal> rates) {}

  public record NewVersion(
      @NotNull Instant effectiveFrom,
      @NotEmpty Map<String, @NotNull @PositiveOrZero @Digits(integer = Money.RATE_INTEGER_DIGITS,
          fraction = Money.RATE_FRACTION_DIGITS, message = Money.RATE_BOUNDS_MESSAGE) BigDecimal> rates) {}

  public record Assignment(@NotNull Long planId, @NotNull Instant effectiveFrom) {}

  public record Version(long id, Instant effectiveFrom, Map<String, BigDecimal> rates) {}

  public record Plan(long id, String name, String currency, boolean isDefault, List<Version> versions) {
    static Plan of(PricePlan plan) {
      return new Plan(plan.id, plan.name, plan.currency, plan.isDefault,
          plan.versions.stream().map(v -> new Version(v.id, v.effectiveFrom, v.rates)).toList());
    }
  }

  public record TenantPlanView(String tenantId, long planId, String planName, Instant effectiveFrom) {
    static TenantPlanView of(TenantPlan assignment) {
      return new TenantPlanView(assignment.tenantId, assignment.plan.id, assignment.plan.name, assignment.effectiveFrom);
    }
  }

  private PlanViews() {}
}
