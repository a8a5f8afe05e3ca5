package io.strata.controlplane.alerts;

/** The conditions the control plane raises alerts for, each with its severity (docs/observability.md). */
public enum Condition {
  ARRAY_FAILED("array-failed", "critical", "array"),
  ARRAY_DEGRADED("array-degraded", "warning", "array"),
  DRIVE_FAILED("drive-failed", "critical", "drive"),
  REBUILD_RUNNING("rebuild-running", "warning", "array"),
  CACHE_SSD_LOST("cache-ssd-lost", "warning", "drive"),
  MIRROR_LOST("mirror-lost", "warning", "drive"),
  STANDBY_LOST("standby-lost", "warning", "array"),
  POOL_ALMOST_FULL("pool-almost-full", "warning", "pool"),
  POOL_FULL("pool-full", "critical", "pool"),
  /** The pool's last scrub found blocks wrong that nothing could tell right (issue 18). */
  SCRUB_UNREPAIRABLE("scrub-unrepairable", "critical", "pool"),
  NODE_OFFLINE("node-offline", "critical", "node"),
  METERING_LAG("metering-lag", "warning", "control-plane"),
  OUTBOX_STUCK("outbox-stuck", "critical", "control-plane");

  public final String id;
  public final String severity;
  public final String objectType;

  Condition(String id, String severity, String objectType) {
    this.id = id;
    this.severity = severity;
    this.objectType = objectType;
  }

  public static Condition byId(String id) {
    for (Condition c : values()) {
      if (c.id.equals(id)) {
        return c;
      }
    }
    return null;
  }
}
