package io.strata.billing.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.strata.billing.metering.ReadingStore;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.Map;

/**
 * What metering did with the readings it consumed, as one counter with a fixed set of outcomes:
 * {@code stored} (new and on time, added to the rollups), {@code duplicate} (already stored: an agent's retry),
 * {@code late} (new, but after the grace period: stored, not added to the rollups), {@code parked} (unreadable, kept for an
 * operator) and {@code ignored} (an event billing does not meter). Every outcome exists from the
 * start at 0, so a rate over it is defined before the first reading arrives.
 */
@Singleton
@Startup // the counters exist (at 0) from the start, not from the first batch
public class MeteringMeters {

  /** The outcomes of one reading, as {@link ReadingStore.BatchResult} counts them. */
  public enum Outcome { STORED, DUPLICATE, LATE, PARKED, IGNORED }

  private final Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);

  @Inject
  MeteringMeters(MeterRegistry registry) {
    for (Outcome outcome : Outcome.values()) {
      counters.put(outcome, Counter.builder("strata_metering_readings")
          .description("Usage readings consumed by billing, by outcome (stored, duplicate, late, parked, ignored)")
          .tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
          .register(registry));
    }
  }

  /** Counts one stored batch. */
  public void batch(ReadingStore.BatchResult result) {
    // the store counts late readings among the stored ones; here each reading has one outcome
    counters.get(Outcome.STORED).increment(result.stored() - result.late());
    counters.get(Outcome.DUPLICATE).increment(result.duplicates());
    counters.get(Outcome.LATE).increment(result.late());
    counters.get(Outcome.PARKED).increment(result.parked());
    counters.get(Outcome.IGNORED).increment(result.ignored());
  }
}
