package io.strata.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import jakarta.inject.Singleton;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Keeps every service's /q/metrics page within Prometheus's naming conventions, as
 * {@code promtool check metrics} enforces them, for the meters our libraries bring (Kafka clients,
 * Agroal, Netty, the JVM binders), which do not all follow them:
 *
 * <ul>
 *   <li>a meter whose name holds an abbreviated unit ({@code ns}, {@code ms}, ...), such as the
 *       Kafka clients' {@code io-time-ns-total}, is dropped: its value is not in a base unit, and
 *       the same figure exists in another form (Kafka's own ratios and averages, {@code process_cpu_usage});
 *       so is one measured in milliseconds (Agroal's creation and acquire times: the pool's
 *       counts stay) and a long task timer (Vert.x's open connections), whose summary promtool refuses;
 *   <li>a gauge named {@code ...count} (reserved for histograms and summaries) is renamed to say
 *       what it counts ({@code agroal_active_count} becomes {@code agroal_active_connections});
 *   <li>a label named in camelCase (the REST client's {@code clientName}) is renamed in snake_case;
 *   <li>a meter without a description gets one made from its name (Prometheus wants HELP text).
 * </ul>
 *
 * Quarkus applies every MeterFilter bean to its registry; this jar is a bean archive, so each
 * service that depends on it gets the filter.
 */
@Singleton
public class PrometheusNaming implements MeterFilter {

  /** Unit abbreviations promtool refuses as a name segment (its promlint list). */
  static final Set<String> ABBREVIATED_UNITS =
      Set.of("s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d");

  /** Gauges named ...count renamed to what they count. */
  static final Map<String, String> COUNT_GAUGES = Map.of(
      "agroal.active.count", "agroal.active.connections",
      "agroal.available.count", "agroal.available.connections",
      "agroal.max.used.count", "agroal.max.used.connections",
      "agroal.awaiting.count", "agroal.awaiting.threads",
      "system.cpu.count", "system.cpus",
      "kafka.consumer.connection.count", "kafka.consumer.connections",
      "kafka.producer.connection.count", "kafka.producer.connections");

  /** Base units that are not Prometheus's base units (seconds, bytes). */
  static final Set<String> NON_BASE_UNITS = Set.of("milliseconds", "microseconds", "nanoseconds");

  @Override
  public MeterFilterReply accept(Meter.Id id) {
    boolean refused = hasAbbreviatedUnit(id)
        || (id.getBaseUnit() != null && NON_BASE_UNITS.contains(id.getBaseUnit().toLowerCase(Locale.ROOT)))
        // the Prometheus registry writes a long task timer as a summary whose series promtool
        // does not accept (..._active_count, ..._duration_sum without HELP)
        || id.getType() == Meter.Type.LONG_TASK_TIMER;
    return refused ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
  }

  @Override
  public Meter.Id map(Meter.Id id) {
    Meter.Id mapped = id;
    if (mapped.getType() == Meter.Type.GAUGE && isCountName(mapped.getName())) {
      mapped = mapped.withName(COUNT_GAUGES.getOrDefault(mapped.getName(), withoutCountSuffix(mapped.getName())));
    }
    if (mapped.getTags().stream().anyMatch(t -> !t.getKey().equals(snakeCase(t.getKey())))) {
      mapped = mapped.replaceTags(mapped.getTags().stream()
          .map(t -> io.micrometer.core.instrument.Tag.of(snakeCase(t.getKey()), t.getValue())).toList());
    }
    String description = mapped.getDescription();
    if (description == null || description.isBlank()) {
      mapped = new Meter.Id(mapped.getName(), io.micrometer.core.instrument.Tags.of(mapped.getTagsAsIterable()),
          mapped.getBaseUnit(), describe(mapped.getName()), mapped.getType());
    }
    return mapped;
  }

  static boolean hasAbbreviatedUnit(Meter.Id id) {
    String unit = id.getBaseUnit();
    if (unit != null && ABBREVIATED_UNITS.contains(unit.toLowerCase(Locale.ROOT))) {
      return true;
    }
    return Arrays.stream(id.getName().toLowerCase(Locale.ROOT).split("[._-]")).anyMatch(ABBREVIATED_UNITS::contains);
  }

  private static boolean isCountName(String name) {
    return name.endsWith(".count") || name.endsWith("_count") || name.endsWith("-count");
  }

  private static String withoutCountSuffix(String name) {
    return name.substring(0, name.length() - "count".length() - 1) + ".number";
  }

  /** A label name in snake_case ({@code clientName}, Quarkus's REST client label, becomes {@code client_name}). */
  static String snakeCase(String key) {
    return key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  /** HELP text for a meter that came without one: its name in words. */
  static String describe(String name) {
    return String.join(" ", name.split("[._-]")) + " (as reported by its library)";
  }
}
