package io.strata.billing.rating;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to price one tenant's usage: which plan the tenant is on when (its own
 * assignments, else the default plan), and which version of that plan is in effect when.
 * Pure values, no database.
 */
public final class PlanBook {

  /** A version of a plan: its rates (per billing unit, by resource key) from {@code effectiveFrom}. */
  public record PlanVersion(String planName, String currency, long versionId, Instant effectiveFrom, Map<String, BigDecimal> rates) {}

  /** The tenant is on {@code planName} from {@code effectiveFrom}. */
  public record Assignment(Instant effectiveFrom, String planName) {}

  /** The price of one resource at one instant. */
  public record Rate(String planName, String currency, long versionId, BigDecimal perUnit) {}

  private final String tenantId;
  private final String defaultPlan;
  private final List<Assignment> assignments;
  private final Map<String, List<PlanVersion>> versionsByPlan;

  /**
   * @param defaultPlan the default plan's name, or null when there is none
   * @param versionsByPlan every plan's versions
   */
  public PlanBook(String tenantId, String defaultPlan, List<Assignment> assignments, Map<String, List<PlanVersion>> versionsByPlan) {
    this.tenantId = tenantId;
    this.defaultPlan = defaultPlan;
    this.assignments = assignments.stream().sorted(Comparator.comparing(Assignment::effectiveFrom)).toList();
    this.versionsByPlan = versionsByPlan;
  }

  /** The plan the tenant is on at {@code instant}. */
  public String planAt(Instant instant) {
    String plan = defaultPlan;
    for (Assignment assignment : assignments) {
      if (!assignment.effectiveFrom().isAfter(instant)) {
        plan = assignment.planName();
      }
    }
    if (plan == null) {
      throw new RatingException("tenant " + tenantId + " has no price plan at " + instant + " and there is no default plan");
    }
    return plan;
  }

  public PlanVersion versionAt(Instant instant) {
    String plan = planAt(instant);
    PlanVersion found = null;
    for (PlanVersion version : versionsByPlan.getOrDefault(plan, List.of())) {
      if (!version.effectiveFrom().isAfter(instant) && (found == null || version.effectiveFrom().isAfter(found.effectiveFrom()))) {
        found = version;
      }
    }
    if (found == null) {
      throw new RatingException("price plan " + plan + " has no version in effect at " + instant + " (tenant " + tenantId + ")");
    }
    return found;
  }

  /**
   * The rate of {@code resource}, or null when the plan in effect has none and the resource's
   * meter is charged only when priced ({@link Meter#chargedOnlyWhenPriced}); otherwise as
   * {@link #rate}.
   */
  public Rate rateOrNone(Instant instant, ResourceKey resource) {
    if (resource.meter().chargedOnlyWhenPriced()
        && !versionAt(instant).rates().containsKey(resource.toString())) {
      return null;
    }
    return rate(instant, resource);
  }

  public Rate rate(Instant instant, ResourceKey resource) {
    PlanVersion version = versionAt(instant);
    BigDecimal perUnit = version.rates().get(resource.toString());
    if (perUnit == null) {
      throw new RatingException("price plan " + version.planName() + " (from " + version.effectiveFrom() + ") has no rate for "
          + resource + ", used by tenant " + tenantId + " at " + instant);
    }
    return new Rate(version.planName(), version.currency(), version.versionId(), perUnit);
  }
}
