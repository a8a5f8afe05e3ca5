package io.strata.billing.demo;

import io.quarkus.runtime.StartupEvent;
import io.strata.billing.domain.PricePlan;
import io.strata.billing.rating.Meter;
import io.strata.billing.rating.ResourceKey;
import io.strata.billing.service.PlanService;
import io.strata.contracts.command.EngineSizes;
import io.strata.contracts.usage.ArrayUsageSample;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The default price plan of a demo (issue 18): so that "Usage & cost" answers on a fresh local
 * stack instead of 409 "no price plan". Created at start only when
 * {@code strata.billing.demo-price-plan} is true (the dev profile and the local stack,
 * {@code STRATA_BILLING_DEMO_PRICE_PLAN}; never production's default) and billing has no plan at
 * all yet, so an operator's own plans are never touched. Its rates cover every meter the agents
 * emit that is always charged ({@link #charged()}): storage per drive type, the engine per size
 * (the contracts' {@link EngineSizes#ALL}, the sizes agents report), I/O and transfer.
 */
@ApplicationScoped
public class DemoPricePlan {
  private static final Logger LOG = Logger.getLogger(DemoPricePlan.class);

  public static final String NAME = "demo";
  public static final String CURRENCY = "EUR";
  public static final Instant EFFECTIVE_FROM = Instant.parse("2026-01-01T00:00:00Z");

  /** The seeding's advisory lock ("strata demo plan"), one key for every billing replica and release. */
  static final long SEED_LOCK = 0x5354524154420001L;

  @Inject PlanService plans;
  @Inject EntityManager em;

  @ConfigProperty(name = "strata.billing.demo-price-plan", defaultValue = "false")
  boolean enabled;

  @Transactional
  void onStart(@Observes StartupEvent start) {
    if (!enabled) {
      return;
    }
    // two replicas starting together: the second waits for the first's commit, then finds its
    // plan (before, both inserted and the unique plan name aborted the second's start)
    em.createNativeQuery("select pg_advisory_xact_lock(?1)").setParameter(1, SEED_LOCK).getSingleResult();
    if (PricePlan.count() > 0) {
      LOG.debug("a price plan exists: no demo plan");
      return;
    }
    plans.create(NAME, CURRENCY, true, EFFECTIVE_FROM, rates());
    LOG.infof("created the default demo price plan %s (%s) with rates for %s", NAME, CURRENCY, rates().keySet());
  }

  /**
   * Every resource key the agents' samples produce and an invoice must price: each drive type's
   * storage, each engine size's engine time, I/O and transfer ({@code used:*} is priced only by a
   * plan that wants it, see docs/billing.md).
   */
  public static List<ResourceKey> charged() {
    List<ResourceKey> keys = new java.util.ArrayList<>();
    for (ArrayUsageSample.DriveType type : ArrayUsageSample.DriveType.values()) {
      keys.add(ResourceKey.storage(type.name()));
    }
    EngineSizes.ALL.forEach(size -> keys.add(ResourceKey.engine(size)));
    keys.add(ResourceKey.IO);
    keys.add(ResourceKey.TRANSFER);
    for (Meter meter : Meter.values()) {
      if (!meter.chargedOnlyWhenPriced() && keys.stream().noneMatch(k -> k.meter() == meter)) {
        throw new IllegalStateException("the demo plan has no rate for meter " + meter.key());
      }
    }
    return keys;
  }

  /** The demo's rates, in EUR: an engine-hour costs 0.05 per vCPU of its size. */
  public static Map<String, BigDecimal> rates() {
    Map<String, BigDecimal> rates = new LinkedHashMap<>();
    for (ResourceKey key : charged()) {
      rates.put(key.toString(), switch (key.meter()) {
        case STORAGE -> new BigDecimal(key.variant().equals("SSD") ? "0.0001875" : "0.00005");
        case ENGINE -> new BigDecimal("0.05").multiply(BigDecimal.valueOf(Integer.parseInt(key.variant().substring(1))));
        case IO -> new BigDecimal("0.215");
        case TRANSFER -> new BigDecimal("0.01");
        case USED, SNAPSHOT -> BigDecimal.ZERO; // premiums on the drives, charged only when priced
      });
    }
    return rates;
  }
}
