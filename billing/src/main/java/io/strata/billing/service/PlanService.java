package io.strata.billing.service;

import io.strata.billing.domain.PricePlan;
import io.strata.billing.domain.PricePlanVersion;
import io.strata.billing.domain.TenantPlan;
import io.strata.billing.rating.Money;
import io.strata.billing.rating.PlanBook;
import io.strata.billing.rating.ResourceKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Price plans, their versions, the default plan and tenants' plans. */
@ApplicationScoped
@Transactional
public class PlanService {

  public PricePlan create(String name, String currency, boolean makeDefault, Instant effectiveFrom, Map<String, BigDecimal> rates) {
    if (PricePlan.findByName(name).isPresent()) {
      throw ProblemException.conflict("name", "a price plan named " + name + " already exists");
    }
    try {
      Currency.getInstance(currency);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw ProblemException.badRequest("currency", "not an ISO 4217 currency code");
    }
    PricePlan plan = new PricePlan();
    plan.name = name;
    plan.currency = currency;
    plan.createdAt = Instant.now();
    if (makeDefault) {
      clearDefault();
      plan.isDefault = true;
    }
    plan.persist();
    addVersion(plan, effectiveFrom, rates);
    return plan;
  }

  public PricePlan addVersion(long planId, Instant effectiveFrom, Map<String, BigDecimal> rates) {
    PricePlan plan = find(planId);
    addVersion(plan, effectiveFrom, rates);
    return plan;
  }

  public PricePlan makeDefault(long planId) {
    PricePlan plan = find(planId);
    if (!plan.isDefault) {
      clearDefault();
      PricePlan.getEntityManager().flush();
      plan.isDefault = true;
    }
    return plan;
  }

  public TenantPlan assign(String tenantId, long planId, Instant effectiveFrom) {
    requireStorable("effectiveFrom", effectiveFrom);
    PricePlan plan = PricePlan.findById(planId);
    if (plan == null) {
      throw ProblemException.notFound("planId", "no price plan " + planId);
    }
    TenantPlan existing = TenantPlan.find("tenantId = ?1 and effectiveFrom = ?2", tenantId, effectiveFrom).firstResult();
    TenantPlan assignment = existing != null ? existing : new TenantPlan();
    assignment.tenantId = tenantId;
    assignment.plan = plan;
    assignment.effectiveFrom = effectiveFrom;
    assignment.persist();
    return assignment;
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public PricePlan find(long planId) {
    PricePlan plan = PricePlan.findById(planId);
    if (plan == null) {
      throw ProblemException.notFound("id", "no price plan " + planId);
    }
    return plan;
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public List<PricePlan> list() {
    return PricePlan.listAll(io.quarkus.panache.common.Sort.by("name"));
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public List<TenantPlan> assignments(String tenantId) {
    return TenantPlan.forTenant(tenantId);
  }

  /** Everything needed to price {@code tenantId}'s usage. */
  @Transactional(Transactional.TxType.SUPPORTS)
  public PlanBook planBook(String tenantId) {
    return planBook(tenantId, PricePlan.listAll());
  }

  /** As {@link #planBook(String)}, with the plans already loaded (closing many tenants at once). */
  public static PlanBook planBook(String tenantId, List<PricePlan> plans) {
    Map<String, List<PlanBook.PlanVersion>> versions = new HashMap<>();
    String defaultPlan = null;
    for (PricePlan plan : plans) {
      if (plan.isDefault) {
        defaultPlan = plan.name;
      }
      versions.put(plan.name, plan.versions.stream()
          .map(v -> new PlanBook.PlanVersion(plan.name, plan.currency, v.id, v.effectiveFrom, Map.copyOf(v.rates)))
          .toList());
    }
    List<PlanBook.Assignment> assignments = TenantPlan.forTenant(tenantId).stream()
        .map(a -> new PlanBook.Assignment(a.effectiveFrom, a.plan.name))
        .toList();
    return new PlanBook(tenantId, defaultPlan, assignments, versions);
  }

  private void addVersion(PricePlan plan, Instant effectiveFrom, Map<String, BigDecimal> rates) {
    requireStorable("effectiveFrom", effectiveFrom);
    if (plan.versions.stream().anyMatch(v -> v.effectiveFrom.equals(effectiveFrom))) {
      throw ProblemException.conflict("effectiveFrom", "price plan " + plan.name + " already has a version from " + effectiveFrom);
    }
    if (rates == null || rates.isEmpty()) {
      throw ProblemException.badRequest("rates", "a price plan version needs at least one rate");
    }
    Map<String, BigDecimal> checked = new TreeMap<>();
    for (Map.Entry<String, BigDecimal> rate : rates.entrySet()) {
      String field = "rates[\"" + rate.getKey() + "\"]";
      String resource;
      try {
        resource = ResourceKey.parse(rate.getKey()).toString();
      } catch (IllegalArgumentException e) {
        throw ProblemException.badRequest(field, "bad resource: " + e.getMessage());
      }
      checked.put(resource, checkedRate(field, rate.getValue()));
    }
    PricePlanVersion version = new PricePlanVersion();
    version.plan = plan;
    version.effectiveFrom = effectiveFrom;
    version.rates = checked;
    version.persist();
    plan.versions.add(version);
  }

  /** The first and last instants a plan version or assignment may take effect (PostgreSQL holds far more). */
  static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
  static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private static void requireStorable(String field, Instant instant) {
    if (instant == null) {
      throw ProblemException.badRequest(field, "is required");
    }
    if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
      throw ProblemException.badRequest(field, "must be from " + EARLIEST + " to " + LATEST);
    }
  }

  /**
   * A rate the money columns hold exactly (the API's validation says the same; this also guards
   * callers that skip it): never negative, within {@link Money#RATE_INTEGER_DIGITS} and
   * {@link Money#RATE_FRACTION_DIGITS}. Trailing zeros are dropped, so 0.50 and 0.5 are one rate.
   */
  private static BigDecimal checkedRate(String field, BigDecimal rate) {
    if (rate == null || rate.signum() < 0) {
      throw ProblemException.badRequest(field, "must be zero or more");
    }
    BigDecimal exact = rate.stripTrailingZeros();
    long fractionDigits = Math.max(0, exact.scale());
    long integerDigits = (long) exact.precision() - exact.scale(); // long: 1E+2147483647 would overflow an int
    if (integerDigits > Money.RATE_INTEGER_DIGITS || fractionDigits > Money.RATE_FRACTION_DIGITS) {
      throw ProblemException.badRequest(field, Money.RATE_BOUNDS_MESSAGE);
    }
    return exact.scale() < 0 ? exact.setScale(0) : exact;
  }

  private static void clearDefault() {
    PricePlan.update("isDefault = false where isDefault = true");
  }
}
