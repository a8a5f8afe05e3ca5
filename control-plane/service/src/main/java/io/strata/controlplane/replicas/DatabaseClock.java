package io.strata.controlplane.replicas;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * PostgreSQL's clock, the one clock every control-plane replica shares. A time that one replica
 * stores and another compares (outbox rows, leases, the watchdog's and the alert evaluator's
 * "now") is read here rather than from the JVM, so two replicas whose clocks differ still agree
 * on what came first (docs/replicas.md, "one clock, not N").
 */
@ApplicationScoped
public class DatabaseClock {

  /** Microseconds since the epoch as an SQL expression of a timestamptz {@code t}. */
  public static String micros(String t) {
    return "floor(extract(epoch from " + t + ") * 1000000)::bigint";
  }

  @Inject EntityManager em;

  /**
   * The database's time now ({@code clock_timestamp()}: the moment of the call, not the start
   * of the transaction), to the microsecond. Joins the caller's transaction, or runs in its own.
   */
  @jakarta.transaction.Transactional
  public Instant now() {
    Number micros = (Number) em.createNativeQuery("select " + micros("clock_timestamp()")).getSingleResult();
    return ofMicros(micros.longValue());
  }

  /** The instant {@code micros} microseconds after the epoch. */
  public static Instant ofMicros(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }
}
