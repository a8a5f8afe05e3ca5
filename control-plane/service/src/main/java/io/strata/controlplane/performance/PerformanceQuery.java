package io.strata.controlplane.performance;

import io.strata.controlplane.rest.problem.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code GET .../{id}/performance?from=&to=&step=} for volumes, arrays and pools: checks the
 * parameters (a problem naming the parameter for each mistake, never a 5xx), bounds the number of
 * points, and turns the stored samples into rates a chart can draw. The caller's resource has
 * already found the object in the caller's tenant (another tenant's id answered 404 there).
 */
@ApplicationScoped
public class PerformanceQuery {

  /** The most points one answer carries: a day at one minute, or a month at half an hour. */
  public static final int MAX_POINTS = 1440;
  static final Duration DEFAULT_RANGE = Duration.ofHours(1);

  @Inject PerformanceHistory history;

  @ConfigProperty(name = "strata.performance.min-step", defaultValue = "60s")
  Duration minStep;

  Clock clock = Clock.systemUTC();

  /**
   * One point. Rates are averages over the time the point's samples cover; MB are 10^6 bytes;
   * latencies in milliseconds; the cache hit ratio is hits over read segments (null without a
   * cache or without reads); used bytes by tier at the point's last sample (null for a volume).
   */
  public record PerformancePoint(Instant time, double readIops, double writeIops, double readMBps,
      double writeMBps, Double readLatencyP50Ms, Double readLatencyP99Ms, Double writeLatencyP50Ms,
      Double writeLatencyP99Ms, Double cacheHitRatio, Long ssdUsedBytes, Long hddUsedBytes) {}

  /** The answer: which object, the range and step used, and the points that have samples (in time order). */
  public record PerformanceView(String kind, UUID id, Instant from, Instant to, long stepSeconds,
      List<PerformancePoint> points) {}

  public PerformanceView view(String kind, UUID id, String fromParam, String toParam, String stepParam) {
    Instant to = toParam == null || toParam.isBlank() ? clock.instant().truncatedTo(ChronoUnit.SECONDS)
        : instant("to", toParam);
    Instant from = fromParam == null || fromParam.isBlank() ? to.minus(DEFAULT_RANGE) : instant("from", fromParam);
    if (!from.isBefore(to)) {
      throw ApiException.badRequest("from", "must be before to (" + to + ")");
    }
    Duration range = Duration.between(from, to);
    Duration step = stepParam == null || stepParam.isBlank() ? defaultStep(range) : step(stepParam);
    if (step.compareTo(minStep) < 0) {
      throw ApiException.badRequest("step", "must be at least " + minStep.toSeconds()
          + " seconds (the agents sample once per " + minStep.toSeconds() + " s)");
    }
    long points = (range.toSeconds() + step.toSeconds() - 1) / step.toSeconds();
    if (points > MAX_POINTS) {
      throw ApiException.badRequest("step", "from " + from + " to " + to + " in steps of " + step.toSeconds()
          + " s is " + points + " points; at most " + MAX_POINTS + " (choose a step of at least "
          + ((range.toSeconds() + MAX_POINTS - 1) / MAX_POINTS) + " s)");
    }
    List<PerformancePoint> out = history.series(id, from, to, step).stream().map(PerformanceQuery::point).toList();
    return new PerformanceView(kind, id, from, to, step.toSeconds(), out);
  }

  private Duration defaultStep(Duration range) {
    long seconds = Math.max(minStep.toSeconds(), (range.toSeconds() + MAX_POINTS - 1) / MAX_POINTS);
    long minutes = (seconds + 59) / 60; // whole minutes read better on a chart's axis
    return Duration.ofMinutes(minutes);
  }

  static PerformancePoint point(PerformanceHistory.Point p) {
    double seconds = Math.max(1, p.seconds());
    Long hits = p.cacheReadHits();
    Long misses = p.cacheReadMisses();
    Double ratio = hits == null || misses == null || hits + misses == 0 ? null : (double) hits / (hits + misses);
    return new PerformancePoint(p.time(), p.readOps() / seconds, p.writeOps() / seconds,
        p.readBytes() / seconds / 1e6, p.writtenBytes() / seconds / 1e6, ms(p.readP50Micros()),
        ms(p.readP99Micros()), ms(p.writeP50Micros()), ms(p.writeP99Micros()), ratio, p.ssdUsedBytes(),
        p.hddUsedBytes());
  }

  private static Double ms(Long micros) {
    return micros == null ? null : micros / 1000.0;
  }

  private static Instant instant(String param, String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(param, "must be an RFC 3339 time in UTC such as 2026-12-07T08:00:00Z, not '"
          + abbreviated(value) + "'");
    }
  }

  /** Seconds ({@code 300}), a number with a unit ({@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}) or ISO-8601 ({@code PT5M}). */
  static Duration step(String value) {
    String v = value.trim();
    try {
      if (v.matches("\\d{1,9}")) {
        return Duration.ofSeconds(Long.parseLong(v));
      }
      if (v.matches("\\d{1,9}[smhd]")) {
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
          case 's' -> Duration.ofSeconds(n);
          case 'm' -> Duration.ofMinutes(n);
          case 'h' -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      }
      Duration d = Duration.parse(v);
      if (d.isNegative() || d.getNano() != 0) {
        throw new DateTimeParseException("not whole positive seconds", v, 0);
      }
      return d;
    } catch (DateTimeParseException | ArithmeticException e) {
      throw ApiException.badRequest("step", "must be whole seconds such as 300, 5m or PT5M, not '"
          + abbreviated(value) + "'");
    }
  }

  private static String abbreviated(String value) {
    return value.length() > 40 ? value.substring(0, 40) + "…" : value;
  }
}
