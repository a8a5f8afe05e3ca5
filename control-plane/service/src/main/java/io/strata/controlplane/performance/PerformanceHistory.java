package io.strata.controlplane.performance;

import io.quarkus.scheduler.Scheduled;
import io.strata.contracts.event.ArrayPerformance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The tenants' performance history in PostgreSQL ({@code performance_sample}): the agents'
 * {@link ArrayPerformance} samples stored as they arrive (a repeated sample is stored once), read
 * back as a time series downsampled to the asked step, and deleted after
 * {@code strata.performance.retention}. Plain JDBC: a sample is a batch of small inserts, a query
 * one aggregate; no entities to manage.
 */
@ApplicationScoped
public class PerformanceHistory {

  private static final Logger LOG = Logger.getLogger(PerformanceHistory.class);

  @Inject DataSource dataSource;

  @ConfigProperty(name = "strata.performance.retention", defaultValue = "14d")
  Duration retention;

  /** One point of a series: the figures of the samples that ended in {@code [time, time + step)}. */
  public record Point(Instant time, long seconds, long readOps, long writeOps, long readBytes, long writtenBytes,
      Long readP50Micros, Long readP99Micros, Long writeP50Micros, Long writeP99Micros, Long cacheReadHits,
      Long cacheReadMisses, Long ssdUsedBytes, Long hddUsedBytes) {}

  /** Stores a sample's series; one whose object id is not a UUID is skipped (nothing of ours). Returns rows stored. */
  public int record(ArrayPerformance sample) {
    String sql = """
        insert into performance_sample (object_id, sampled_at, read_ops, write_ops, read_bytes, written_bytes,
          cache_read_hits, cache_read_misses, ssd_used_bytes, hdd_used_bytes, interval_seconds,
          read_p50_us, read_p99_us, write_p50_us, write_p99_us, object_kind)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        on conflict do nothing""";
    long seconds = Duration.between(sample.intervalStart(), sample.intervalEnd()).toSeconds();
    if (seconds <= 0) {
      LOG.warnf("performance sample of array %s with an empty interval ignored", sample.arrayId());
      return 0;
    }
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      int rows = 0;
      for (ArrayPerformance.Series x : sample.series()) {
        UUID id = uuid(x.objectId());
        if (id == null || x.kind() == null) {
          continue;
        }
        s.setObject(1, id);
        s.setTimestamp(2, Timestamp.from(sample.intervalEnd()));
        s.setLong(3, x.readOps());
        s.setLong(4, x.writeOps());
        s.setLong(5, x.readBytes());
        s.setLong(6, x.writtenBytes());
        setLong(s, 7, x.cacheReadHits());
        setLong(s, 8, x.cacheReadMisses());
        setLong(s, 9, x.ssdUsedBytes());
        setLong(s, 10, x.hddUsedBytes());
        s.setInt(11, (int) Math.min(Integer.MAX_VALUE, seconds));
        setMicros(s, 12, x.readLatencyP50Micros());
        setMicros(s, 13, x.readLatencyP99Micros());
        setMicros(s, 14, x.writeLatencyP50Micros());
        setMicros(s, 15, x.writeLatencyP99Micros());
        s.setShort(16, (short) x.kind().ordinal());
        s.addBatch();
        rows++;
      }
      if (rows > 0) {
        s.executeBatch();
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot store the performance sample of array " + sample.arrayId(), e);
    }
  }

  /**
   * The series of object {@code id} for samples that ended in {@code (from, to]}, one point per
   * {@code step} that has samples. Counters are added up; a point's p50 is the operations-weighted
   * mean of its samples' medians and its p99 their highest (a conservative merge: quantiles of
   * different samples cannot be combined exactly); used bytes are the last sample's.
   */
  public List<Point> series(UUID id, Instant from, Instant to, Duration step) {
    String sql = """
        select date_bin(make_interval(secs => ?), sampled_at, ?) as t,
          sum(interval_seconds), sum(read_ops), sum(write_ops), sum(read_bytes), sum(written_bytes),
          round(sum(read_p50_us::numeric * read_ops) / nullif(sum(read_ops) filter (where read_p50_us is not null), 0)),
          max(read_p99_us),
          round(sum(write_p50_us::numeric * write_ops) / nullif(sum(write_ops) filter (where write_p50_us is not null), 0)),
          max(write_p99_us),
          sum(cache_read_hits), sum(cache_read_misses),
          (array_agg(ssd_used_bytes order by sampled_at desc))[1],
          (array_agg(hdd_used_bytes order by sampled_at desc))[1]
        from performance_sample
        where object_id = ? and sampled_at > ? and sampled_at <= ?
        group by t order by t""";
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setLong(1, step.toSeconds());
      s.setTimestamp(2, Timestamp.from(from));
      s.setObject(3, id);
      s.setTimestamp(4, Timestamp.from(from));
      s.setTimestamp(5, Timestamp.from(to));
      List<Point> out = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(new Point(r.getTimestamp(1).toInstant(), r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5),
              r.getLong(6), longOrNull(r, 7), longOrNull(r, 8), longOrNull(r, 9), longOrNull(r, 10), longOrNull(r, 11),
              longOrNull(r, 12), longOrNull(r, 13), longOrNull(r, 14)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the performance history of " + id, e);
    }
  }

  @Scheduled(identity = "performance-retention", every = "${strata.performance.sweep-every:1h}",
      delayed = "${strata.performance.sweep-delay:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void sweepOnTimer() {
    sweep();
  }

  /**
   * Deletes what is older than the retention; returns the rows deleted. Every replica runs it on
   * its timer; one at a time sweeps (an advisory try-lock, held for the delete's transaction),
   * the others skip the round. The cut-off is PostgreSQL's clock, as for every time replicas share.
   */
  public int sweep() {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement lock = c.prepareStatement("select pg_try_advisory_xact_lock(?)");
          PreparedStatement s = c.prepareStatement(
              "delete from performance_sample where sampled_at < clock_timestamp() - make_interval(secs => ?)")) {
        lock.setLong(1, io.strata.controlplane.replicas.ReplicaLocks.PERFORMANCE_SWEEP);
        try (ResultSet r = lock.executeQuery()) {
          if (!r.next() || !r.getBoolean(1)) {
            c.rollback();
            return 0; // another replica is sweeping
          }
        }
        s.setDouble(1, retention.toSeconds());
        int deleted = s.executeUpdate();
        c.commit();
        return logged(deleted);
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      LOG.warnf("performance history not swept: %s", e.getMessage());
      return 0;
    }
  }

  private int logged(int deleted) {
    if (deleted > 0) {
      LOG.infof("performance history: %d samples older than %s deleted", deleted, retention);
    }
    return deleted;
  }

  private static UUID uuid(String id) {
    try {
      return id == null ? null : UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static void setLong(PreparedStatement s, int i, Long v) throws SQLException {
    if (v == null) {
      s.setNull(i, Types.BIGINT);
    } else {
      s.setLong(i, v);
    }
  }

  private static void setMicros(PreparedStatement s, int i, Long v) throws SQLException {
    if (v == null) {
      s.setNull(i, Types.INTEGER);
    } else {
      s.setInt(i, (int) Math.min(Integer.MAX_VALUE, Math.max(0, v)));
    }
  }

  private static Long longOrNull(ResultSet r, int i) throws SQLException {
    long v = r.getLong(i);
    return r.wasNull() ? null : v;
  }
}
