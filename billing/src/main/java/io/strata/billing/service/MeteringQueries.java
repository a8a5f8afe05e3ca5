package io.strata.billing.service;

import io.strata.billing.rating.Money;
import io.strata.billing.rating.ResourceKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Read-only views of metering: hourly usage, late readings, parked messages. */
@ApplicationScoped
public class MeteringQueries {

  @Inject DataSource dataSource;

  /** One hour of one resource of one array, in the unit a plan prices it in. */
  public record HourlyUsage(String arrayId, String resource, Instant hour, BigDecimal quantity, String unit) {}

  public record LateReading(long id, String source, long sequence, String tenantId, String arrayId,
      Instant intervalStart, Instant intervalEnd, Instant receivedAt, String status) {}

  public record ParkedMessage(long id, String topic, int partition, long offset, String reason, Instant parkedAt) {}

  public List<HourlyUsage> hourly(String tenantId, Instant from, Instant to) {
    String sql = "SELECT array_id, resource, hour, SUM(quantity) FROM usage_hourly WHERE tenant_id = ? AND hour >= ? AND hour < ? "
        + "GROUP BY array_id, resource, hour ORDER BY hour, array_id, resource";
    return query(sql, statement -> {
      statement.setString(1, tenantId);
      statement.setTimestamp(2, Timestamp.from(from));
      statement.setTimestamp(3, Timestamp.from(to));
    }, row -> {
      ResourceKey resource = ResourceKey.parse(row.getString(2));
      return new HourlyUsage(row.getString(1), row.getString(2), row.getTimestamp(3).toInstant(),
          Money.billingQuantity(row.getBigDecimal(4), resource.meter()), resource.meter().unit());
    });
  }

  public List<LateReading> lateReadings(int limit) {
    return query("SELECT id, source, sequence, tenant_id, array_id, interval_start, interval_end, received_at, status "
        + "FROM reading WHERE status = 'LATE' ORDER BY id LIMIT ?", statement -> statement.setInt(1, limit),
        row -> new LateReading(row.getLong(1), row.getString(2), row.getLong(3), row.getString(4), row.getString(5),
            row.getTimestamp(6).toInstant(), row.getTimestamp(7).toInstant(), row.getTimestamp(8).toInstant(), row.getString(9)));
  }

  public List<ParkedMessage> parked(int limit) {
    return query("SELECT id, kafka_topic, kafka_partition, kafka_offset, reason, parked_at FROM parked_message ORDER BY id LIMIT ?",
        statement -> statement.setInt(1, limit),
        row -> new ParkedMessage(row.getLong(1), row.getString(2), row.getInt(3), row.getLong(4), row.getString(5),
            row.getTimestamp(6).toInstant()));
  }

  /** Readings stored so far, by status. */
  public java.util.Map<String, Long> readingCounts() {
    java.util.Map<String, Long> counts = new java.util.TreeMap<>();
    query("SELECT status, COUNT(*) FROM reading GROUP BY status", statement -> {}, row -> counts.put(row.getString(1), row.getLong(2)));
    return counts;
  }

  private interface Binder {
    void bind(PreparedStatement statement) throws SQLException;
  }

  private interface RowMapper<T> {
    T map(ResultSet row) throws SQLException;
  }

  private <T> List<T> query(String sql, Binder binder, RowMapper<T> mapper) {
    List<T> result = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      binder.bind(statement);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          result.add(mapper.map(rows));
        }
      }
      return result;
    } catch (SQLException e) {
      throw new IllegalStateException("metering query failed: " + e.getMessage(), e);
    }
  }
}
