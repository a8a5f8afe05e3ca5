package io.strata.controlplane.alerts;

import io.strata.controlplane.rest.problem.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The numbers the conditions compare against, kept in the database (every replica evaluates with
 * the same), changed through {@code PUT /api/v1/admin/alert-thresholds/{name}}.
 */
@ApplicationScoped
public class Thresholds {
  public static final String POOL_WARNING = "pool-full-warning-ratio";
  public static final String POOL_CRITICAL = "pool-full-critical-ratio";
  public static final String METERING_LAG = "metering-lag-messages";
  public static final String OUTBOX_AGE = "outbox-age-seconds";

  /** Allowed range of each threshold. */
  private static final Map<String, double[]> RANGES = Map.of(
      POOL_WARNING, new double[] {0.01, 1.0},
      POOL_CRITICAL, new double[] {0.01, 1.0},
      METERING_LAG, new double[] {1, 1e12},
      OUTBOX_AGE, new double[] {1, 86_400});

  @Transactional(Transactional.TxType.MANDATORY)
  public double value(String name) {
    AlertThreshold t = AlertThreshold.findById(name);
    return t.value;
  }

  @Transactional
  public List<AlertThreshold> all() {
    return AlertThreshold.listAll(io.quarkus.panache.common.Sort.by("name"));
  }

  /** Sets one threshold; 404 for an unknown name, 400 naming {@code value} out of range or inconsistent. */
  @Transactional(Transactional.TxType.MANDATORY)
  public AlertThreshold set(String name, Double value, String by) {
    double[] range = RANGES.get(name);
    AlertThreshold t = range == null ? null : AlertThreshold.findById(name);
    if (t == null) {
      throw ApiException.notFound("alert-threshold", name);
    }
    if (value == null || value.isNaN() || value < range[0] || value > range[1]) {
      throw ApiException.badRequest("value", "must be between " + range[0] + " and " + range[1]);
    }
    double warning = name.equals(POOL_WARNING) ? value : ((AlertThreshold) AlertThreshold.findById(POOL_WARNING)).value;
    double critical = name.equals(POOL_CRITICAL) ? value : ((AlertThreshold) AlertThreshold.findById(POOL_CRITICAL)).value;
    if (warning > critical) {
      throw ApiException.badRequest("value", "the pool-full warning ratio must not be above the critical ratio ("
          + warning + " > " + critical + ")");
    }
    t.value = value;
    t.updatedAt = Instant.now();
    t.updatedBy = by;
    return t;
  }
}
