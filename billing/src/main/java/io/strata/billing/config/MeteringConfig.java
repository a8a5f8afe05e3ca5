package io.strata.billing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How billing consumes usage from Kafka. */
@ConfigMapping(prefix = "strata.billing.metering")
public interface MeteringConfig {

  /**
   * How far behind the newest interval end already seen for an array a sample may end and still be
   * billed automatically. Older samples are stored as LATE and reported to operators, who may admit them.
   */
  @WithDefault("PT6H")
  Duration gracePeriod();

  /** The Kafka consumer group; all billing replicas share it. */
  @WithDefault("strata-billing")
  String groupId();

  /**
   * Upper bound of one batch, which is stored in one database transaction. Large batches make a
   * backlog cheap: the hourly rollups and watermarks of all the arrays in a batch are written once
   * per batch, however many samples of each it holds.
   */
  @WithDefault("10000")
  int maxPollRecords();

  /**
   * Members of the consumer group this service runs, each on a thread of its own with its own
   * database transaction per batch: one per core lets decoding and PostgreSQL's work overlap. More
   * than the partitions of strata.usage leaves the extra ones idle.
   */
  @WithDefault("2")
  int consumers();

  /**
   * A member that stopped on an error is restarted after this delay, doubled after every failure
   * in a row up to {@link #restartBackoffMax()}, and back to this after it consumed again.
   */
  @WithDefault("PT1S")
  Duration restartBackoff();

  /** The longest wait between two restarts of a failing member. */
  @WithDefault("PT30S")
  Duration restartBackoffMax();

  /**
   * How often the Kafka client's figures are looked over for new ones to show on /q/metrics (a
   * partition's lag exists only once the partition is assigned; Micrometer's default is a minute).
   */
  @WithDefault("PT1M")
  Duration kafkaMetricsRefresh();

  /** Start the consumer with the service (tests and tools may start it themselves). */
  @WithDefault("true")
  boolean enabled();
}
