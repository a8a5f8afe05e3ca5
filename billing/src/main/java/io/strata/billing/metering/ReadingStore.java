package io.strata.billing.metering;

import io.strata.billing.config.MeteringConfig;
import io.strata.billing.metering.ReadingDecoder.Reading;
import io.strata.contracts.UnreadableMessageException;
import io.strata.contracts.usage.ArrayUsageSample;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Stores one polled batch in one database transaction: the new readings (a reading is stored at
 * most once per (source, sequence)), their hourly rollups, the lateness watermarks, parked
 * messages, and the next offset of every partition in the batch. Because the offsets commit with
 * the readings, a consumer that dies anywhere in a batch resumes exactly after the last stored
 * batch (docs/billing.md, "Exactly once").
 */
@ApplicationScoped
public class ReadingStore {

  private static final Logger LOG = Logger.getLogger(ReadingStore.class);
  /** How many late readings a batch's warning names; the rest are counted (GET /api/v1/metering/late-readings lists all). */
  private static final int LATE_EXAMPLES = 5;

  private final ReadingDecoder decoder = new ReadingDecoder();

  @Inject DataSource dataSource;
  @Inject MeteringConfig config;

  /** What a batch did, for logs and tests. */
  public record BatchResult(int stored, int duplicates, int late, int parked, int ignored) {}

  /**
   * Stores a polled batch in the caller's transaction (or one of its own). Set-based from end to
   * end: the batch's readings are decoded in Java, COPY'd into a staging table and inserted with one
   * statement that skips those already stored; only the new ones are split into hourly increments,
   * which are added to the rollups with one upsert; the watermarks and offsets take one statement each.
   */
  @Transactional
  public BatchResult store(String groupId, List<ConsumerRecord<String, byte[]>> records) {
    try (Connection connection = dataSource.getConnection()) {
      long t0 = System.nanoTime();
      relaxCommitFlush(connection);
      List<Reading> readings = new ArrayList<>(records.size());
      Set<String> keys = new HashSet<>(records.size() * 2);
      int parked = 0;
      int ignored = 0;
      int repeatedInBatch = 0;
      for (ConsumerRecord<String, byte[]> record : records) {
        try {
          Optional<Reading> reading = decoder.decode(record);
          if (reading.isEmpty()) {
            ignored++;
          } else if (!keys.add(reading.get().key())) {
            repeatedInBatch++; // the same (source, sequence) earlier in this batch: the first one counts
          } else {
            readings.add(reading.get());
          }
        } catch (UnreadableMessageException e) {
          park(connection, record, e.getMessage());
          parked++;
        }
      }
      long t1 = System.nanoTime();
      readings = classifyLateness(connection, readings);
      long t2 = System.nanoTime();
      boolean[] inserted = ReadingStage.insertNew(connection, readings, Instant.now());
      long t3 = System.nanoTime();
      int stored = 0;
      List<Reading> late = new ArrayList<>();
      Map<HourlyIncrement.Row, BigDecimal> rollup = new HashMap<>();
      for (int i = 0; i < readings.size(); i++) {
        if (!inserted[i]) {
          continue;
        }
        stored++;
        Reading reading = readings.get(i);
        if ("LATE".equals(reading.status())) {
          late.add(reading);
        } else if (reading.sample() != null) {
          for (HourlyIncrement increment : HourlySplit.of(reading.sample())) {
            rollup.merge(increment.row(), increment.quantity(), BigDecimal::add);
          }
        }
      }
      reportLate(late);
      long t4 = System.nanoTime();
      addToRollups(connection, rollup);
      long t5 = System.nanoTime();
      saveOffsets(connection, groupId, records);
      if (LOG.isDebugEnabled()) { // where a batch's time goes, for profiling ingestion
        LOG.debugf("batch of %d: decode %d ms, lateness %d ms, readings %d ms, hourly split %d ms, rollups %d ms, offsets %d ms",
            records.size(), millis(t0, t1), millis(t1, t2), millis(t2, t3), millis(t3, t4), millis(t4, t5), millis(t5, System.nanoTime()));
      }
      return new BatchResult(stored, readings.size() - stored + repeatedInBatch, late.size(), parked, ignored);
    } catch (SQLException e) {
      throw new IllegalStateException("could not store a batch of " + records.size() + " readings: " + e.getMessage(), e);
    }
  }

  /** One warning per batch, not per reading: a replay of old data can make thousands late at once. */
  private void reportLate(List<Reading> late) {
    if (late.isEmpty()) {
      return;
    }
    StringBuilder examples = new StringBuilder();
    for (Reading reading : late.subList(0, Math.min(LATE_EXAMPLES, late.size()))) {
      examples.append(examples.length() == 0 ? "" : ", ").append(reading.source()).append('/').append(reading.sequence())
          .append(" (array ").append(reading.arrayId()).append(", ").append(reading.sample().intervalStart())
          .append("..").append(reading.sample().intervalEnd()).append(')');
    }
    LOG.warnf("%d usage sample(s) later than the grace period of %s, stored as LATE and not billed until an operator admits them: %s%s",
        late.size(), config.gracePeriod(), examples, late.size() > LATE_EXAMPLES ? ", ..." : "");
  }

  private static long millis(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1_000_000;
  }

  /**
   * This transaction's commit returns before its WAL is flushed to disk. Safe for exactly-once:
   * the readings and the partition offsets commit together, so a database crash can only lose
   * both, and the consumer then reads those messages again from Kafka from the older stored
   * offsets. Nothing else is told about a batch before it is durable: Kafka's committed offsets
   * are for lag monitoring only and are never used to decide what to read.
   */
  private static void relaxCommitFlush(Connection connection) throws SQLException {
    try (java.sql.Statement statement = connection.createStatement()) {
      statement.execute("SET LOCAL synchronous_commit = off");
    }
  }

  /** The next offset to read for each partition, as stored with the readings. */
  @Transactional
  public Map<TopicPartition, Long> storedOffsets(String groupId, Collection<TopicPartition> partitions) {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(
            "SELECT next_offset FROM consumer_offset WHERE group_id = ? AND topic = ? AND partition = ?")) {
      for (TopicPartition partition : partitions) {
        select.setString(1, groupId);
        select.setString(2, partition.topic());
        select.setInt(3, partition.partition());
        try (ResultSet row = select.executeQuery()) {
          if (row.next()) {
            offsets.put(partition, row.getLong(1));
          }
        }
      }
      return offsets;
    } catch (SQLException e) {
      throw new IllegalStateException("could not read stored offsets: " + e.getMessage(), e);
    }
  }

  /** Bills a reading that was stored as LATE, as if it had come in time. */
  @Transactional
  public void admitLate(long readingId) throws UnreadableMessageException {
    try (Connection connection = dataSource.getConnection()) {
      byte[] envelope;
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT status, envelope FROM reading WHERE id = ? FOR UPDATE")) {
        select.setLong(1, readingId);
        try (ResultSet row = select.executeQuery()) {
          if (!row.next()) {
            throw new LateReadingException(404, "no reading " + readingId);
          }
          if (!"LATE".equals(row.getString(1))) {
            throw new LateReadingException(409, "reading " + readingId + " is " + row.getString(1) + ", not LATE");
          }
          envelope = row.getBytes(2);
        }
      }
      ArrayUsageSample sample = decoder.sampleOf(envelope);
      Map<HourlyIncrement.Row, BigDecimal> rollup = new TreeMap<>(ROW_ORDER);
      for (HourlyIncrement increment : HourlySplit.of(sample)) {
        rollup.merge(increment.row(), increment.quantity(), BigDecimal::add);
      }
      addToRollups(connection, rollup);
      try (PreparedStatement update = connection.prepareStatement("UPDATE reading SET status = 'LATE_ADMITTED' WHERE id = ?")) {
        update.setLong(1, readingId);
        update.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not admit reading " + readingId + ": " + e.getMessage(), e);
    }
  }

  /** A late reading that cannot be admitted; carries the HTTP status the API answers with. */
  public static class LateReadingException extends RuntimeException {
    public final int status;

    LateReadingException(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private static final java.util.Comparator<HourlyIncrement.Row> ROW_ORDER =
      java.util.Comparator.comparing(HourlyIncrement.Row::tenantId)
          .thenComparing(HourlyIncrement.Row::arrayId)
          .thenComparing(HourlyIncrement.Row::resource)
          .thenComparing(HourlyIncrement.Row::hour);

  /** Marks samples beyond the grace period as LATE and moves each array's watermark forward. */
  private List<Reading> classifyLateness(Connection connection, List<Reading> readings) throws SQLException {
    Set<String> arrays = new HashSet<>();
    for (Reading reading : readings) {
      if (reading.sample() != null) {
        arrays.add(reading.arrayId());
      }
    }
    if (arrays.isEmpty()) {
      return readings;
    }
    Map<String, Instant> watermarks = new HashMap<>();
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT array_id, latest_interval_end FROM array_watermark WHERE array_id = ANY (?) FOR UPDATE")) {
      select.setArray(1, connection.createArrayOf("text", arrays.toArray()));
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          watermarks.put(rows.getString(1), rows.getTimestamp(2).toInstant());
        }
      }
    }
    List<Reading> classified = new ArrayList<>(readings.size());
    for (Reading reading : readings) {
      if (reading.sample() == null) {
        classified.add(reading);
        continue;
      }
      Instant end = reading.sample().intervalEnd();
      Instant watermark = watermarks.get(reading.arrayId());
      if (Lateness.beyondGrace(watermark, end, config.gracePeriod())) {
        classified.add(reading.withStatus("LATE"));
      } else {
        classified.add(reading);
        if (watermark == null || end.isAfter(watermark)) {
          watermarks.put(reading.arrayId(), end);
        }
      }
    }
    List<String> ids = new ArrayList<>(watermarks.keySet());
    try (PreparedStatement upsert = connection.prepareStatement(
        "INSERT INTO array_watermark (array_id, latest_interval_end) "
            + "SELECT * FROM unnest(?::text[], ?::text[]::timestamptz[]) "
            + "ON CONFLICT (array_id) DO UPDATE SET latest_interval_end = "
            + "GREATEST(array_watermark.latest_interval_end, EXCLUDED.latest_interval_end)")) {
      upsert.setArray(1, connection.createArrayOf("text", ids.toArray()));
      upsert.setArray(2, connection.createArrayOf("text", ids.stream().map(id -> watermarks.get(id).toString()).toArray()));
      upsert.executeUpdate();
    }
    return classified;
  }

  private static void addToRollups(Connection connection, Map<HourlyIncrement.Row, BigDecimal> rollup) throws SQLException {
    if (rollup.isEmpty()) {
      return;
    }
    Set<String> tenants = new java.util.TreeSet<>();
    rollup.keySet().forEach(row -> tenants.add(row.tenantId()));
    UsageGenerations.lockShared(connection, tenants);
    Map<UsageGenerations.TenantMonth, Integer> generations = UsageGenerations.current(connection, tenants);
    List<Map.Entry<HourlyIncrement.Row, BigDecimal>> rows = new ArrayList<>(rollup.entrySet());
    rows.sort(Map.Entry.comparingByKey(ROW_ORDER)); // concurrent writers meet the rows in one order: no deadlock
    int n = rows.size();
    Object[] tenant = new Object[n], array = new Object[n], resource = new Object[n], hour = new Object[n],
        generation = new Object[n], quantity = new Object[n];
    int i = 0;
    for (Map.Entry<HourlyIncrement.Row, BigDecimal> entry : rows) {
      HourlyIncrement.Row row = entry.getKey();
      tenant[i] = row.tenantId();
      array[i] = row.arrayId();
      resource[i] = row.resource();
      hour[i] = row.hour().toString();
      generation[i] = generations.getOrDefault(
          new UsageGenerations.TenantMonth(row.tenantId(), UsageGenerations.monthOf(row.hour())), 0);
      quantity[i] = entry.getValue().toPlainString();
      i++;
    }
    try (PreparedStatement upsert = connection.prepareStatement(
        "INSERT INTO usage_hourly (tenant_id, array_id, resource, hour, generation, quantity) "
            + "SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]::timestamptz[], ?::int[], ?::text[]::numeric[]) "
            + "ON CONFLICT (tenant_id, array_id, resource, hour, generation) "
            + "DO UPDATE SET quantity = usage_hourly.quantity + EXCLUDED.quantity")) {
      upsert.setArray(1, connection.createArrayOf("text", tenant));
      upsert.setArray(2, connection.createArrayOf("text", array));
      upsert.setArray(3, connection.createArrayOf("text", resource));
      upsert.setArray(4, connection.createArrayOf("text", hour));
      upsert.setArray(5, connection.createArrayOf("integer", generation));
      upsert.setArray(6, connection.createArrayOf("text", quantity));
      upsert.executeUpdate();
    }
  }

  private static void saveOffsets(Connection connection, String groupId, List<ConsumerRecord<String, byte[]>> records)
      throws SQLException {
    Map<TopicPartition, Long> next = new LinkedHashMap<>();
    for (ConsumerRecord<String, byte[]> record : records) {
      next.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
    }
    try (PreparedStatement upsert = connection.prepareStatement(
        "INSERT INTO consumer_offset (group_id, topic, partition, next_offset) VALUES (?, ?, ?, ?) "
            // never backwards: a member replaced after a stall may commit its old batch after the
            // partition's new owner went further (nothing is billed twice, but the re-read is work)
            + "ON CONFLICT (group_id, topic, partition) DO UPDATE"
            + " SET next_offset = GREATEST(consumer_offset.next_offset, EXCLUDED.next_offset)")) {
      for (Map.Entry<TopicPartition, Long> entry : next.entrySet()) {
        upsert.setString(1, groupId);
        upsert.setString(2, entry.getKey().topic());
        upsert.setInt(3, entry.getKey().partition());
        upsert.setLong(4, entry.getValue());
        upsert.addBatch();
      }
      upsert.executeBatch();
    }
  }

  private static void park(Connection connection, ConsumerRecord<String, byte[]> record, String reason) throws SQLException {
    LOG.errorf("parked unreadable message %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), reason);
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO parked_message (kafka_topic, kafka_partition, kafka_offset, reason, body, parked_at) "
            + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
      insert.setString(1, record.topic());
      insert.setInt(2, record.partition());
      insert.setLong(3, record.offset());
      insert.setString(4, reason);
      insert.setBytes(5, record.value());
      insert.setTimestamp(6, Timestamp.from(Instant.now()));
      insert.executeUpdate();
    }
  }
}
