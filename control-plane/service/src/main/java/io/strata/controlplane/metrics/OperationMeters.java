package io.strata.controlplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Counters of the control plane's own actions: operations started and completed (by kind and
 * outcome) and what the watchdog did (by object kind and outcome). Labels come from fixed sets in
 * the code (operation kinds such as {@code volume.create}; object kinds; outcomes), never from ids.
 */
@ApplicationScoped
public class OperationMeters {

  @Inject MeterRegistry registry;

  public void started(String kind) {
    Counter.builder("strata_operations_started")
        .description("Operations started, by kind")
        .tag("kind", kind)
        .register(registry)
        .increment();
  }

  /** An operation reached SUCCEEDED or FAILED ({@code state}). */
  public void completed(String kind, String state) {
    Counter.builder("strata_operations_completed")
        .description("Operations completed, by kind and final state")
        .tag("kind", kind)
        .tag("state", state)
        .register(registry)
        .increment();
  }

  /**
   * The watchdog acted on an object: {@code kind} node, array, volume, snapshot or attachment;
   * {@code outcome} what it set (offline, degraded, failed).
   */
  public void watchdogAction(String kind, String outcome) {
    Counter.builder("strata_watchdog_actions")
        .description("Actions the watchdog took on silent nodes and stuck objects, by object kind and outcome")
        .tag("kind", kind)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }
}
