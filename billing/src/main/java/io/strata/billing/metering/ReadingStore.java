package io.strata.billing.metering;

import io.strata.billing.config.MeteringConfig;
import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.MessageType;
import io.strata.contracts.Topics;
import io.strata.contracts.UnreadableMessageException;
import io.strata.contracts.lifecycle.LifecycleMessages;
import io.strata.contracts.lifecycle.ResourceLifecycleEvent;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.UsageMessages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
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
import java.util.stream.Stream;
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
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<MessageType<?>> READS =
      Stream.concat(UsageMessages.ALL.stream(), LifecycleMessages.ALL.stream()).toList();

  private final MessageCodec codec = new MessageCodec(READS, Clock.systemUTC());

  @Inject DataSource dataSource;
  @Inject MeteringConfig config;

  /** What a batch did, for logs and tests. */
  public record BatchResult(int stored, int duplicates, int late, int parked, int ignored) {}

  /** One decoded message on its way into the reading table. */
  private record Reading(
      ConsumerRecord<String, byte[]> record, Envelope envelope, String tenantId, String arrayId,
      ArrayUsageSample sample, String status) {
    String key() {
      return envelope.source() + "\u0000" + envelope.sequence();
    }
  }

  @Transactional
  public BatchResult store(String groupId, List<ConsumerRecord<String, byte[]>> records) {
    try (Connection connection = dataSource.getConnection()) {
      long t0 = System.nanoTime();
      relaxCommitFlush(connection);
      List<Reading> readings = new ArrayList<>();
      int parked = 0;
      int ignored = 0;
      for (ConsumerRecord<String, byte[]> record : records) {
        try {
          Optional<Reading> reading = decode(record);
          if (reading.isPresent()) {
            readings.add(reading.get());
          } else {
            ignored++;
          }
        } catch (UnreadableMessageException e) {
          park(connection, record, e.getMessage());
          parked++;
        }
      }
      long t1 = System.nanoTime();
      readings = classifyLateness(connection, readings);
      long t2 = System.nanoTime();
      Set<String> inserted = insertReadings(connection, readings);
      long t3 = System.nanoTime();
      int late = 0;
      Map<HourlyIncrement.Row, BigDecimal> rollup = new TreeMap<>(ROW_ORDER);
      Set<String> seen = new HashSet<>();
      for (Reading reading : readings) {
        if (!inserted.contains(reading.key()) || !seen.add(reading.key())) {
          continue;
        }
        if ("LATE".equals(reading.status())) {
          late++;
          LOG.warnf("usage sample %s/%d for array %s (%s..%s) is later than the grace period of %s: stored as LATE, not billed until an operator admits it",
              reading.envelope().source(), reading.envelope().sequence(), reading.arrayId(),
              reading.sample().intervalStart(), reading.sample().intervalEnd(), config.gracePeriod());
        } else if (reading.sample() != null) {
          for (HourlyIncrement increment : HourlySplit.of(reading.sample())) {
            rollup.merge(increment.row(), increment.quantity(), BigDecimal::add);
          }
        }
      }
      long t4 = System.nanoTime();
      addToRollups(connection, rollup);
      long t5 = System.nanoTime();
      saveOffsets(connection, groupId, records);
      if (LOG.isDebugEnabled()) { // where a batch's time goes, for profiling ingestion
        LOG.debugf("batch of %d: decode %d ms, lateness %d ms, readings %d ms, hourly split %d ms, rollups %d ms, offsets %d ms",
            records.size(), millis(t0, t1), millis(t1, t2), millis(t2, t3), millis(t3, t4), millis(t4, t5), millis(t5, System.nanoTime()));
      }
      return new BatchResult(inserted.size(), readings.size() - inserted.size(), late, parked, ignored);
    } catch (SQLException e) {
      throw new IllegalStateException("could not store a batch of " + records.size() + " readings: " + e.getMessage(), e);
    }
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
      String envelopeJson;
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT status, envelope::text FROM reading WHERE id = ? FOR UPDATE")) {
        select.setLong(1, readingId);
        try (ResultSet row = select.executeQuery()) {
          if (!row.next()) {
            throw new LateReadingException(404, "no reading " + readingId);
          }
          if (!"LATE".equals(row.getString(1))) {
            throw new LateReadingException(409, "reading " + readingId + " is " + row.getString(1) + ", not LATE");
          }
          envelopeJson = row.getString(2);
        }
      }
      Envelope envelope = codec.decode(envelopeJson.getBytes(StandardCharsets.UTF_8));
      ArrayUsageSample sample = codec.payload(envelope, UsageMessages.ARRAY_USAGE_SAMPLE);
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

  /**
   * Empty when the message is not for billing (other types on strata.events). Throws for what is
   * billing's but cannot be read: anything on strata.usage, and lifecycle types it does not know.
   */
  private Optional<Reading> decode(ConsumerRecord<String, byte[]> record) throws UnreadableMessageException {
    boolean usageTopic = Topics.USAGE.equals(record.topic());
    Envelope envelope;
    try {
      envelope = codec.decode(record.value() == null ? new byte[0] : record.value());
    } catch (UnreadableMessageException e) {
      if (usageTopic || rawType(record).startsWith(LifecycleMessages.TYPE_PREFIX)) {
        throw e;
      }
      return Optional.empty();
    }
    if (envelope.type().equals(UsageMessages.ARRAY_USAGE_SAMPLE.type())) {
      ArrayUsageSample sample = codec.payload(envelope, UsageMessages.ARRAY_USAGE_SAMPLE);
      return Optional.of(new Reading(record, envelope, sample.tenantId(), sample.arrayId(), sample, "ACCEPTED"));
    }
    ResourceLifecycleEvent event = codec.payload(envelope, LifecycleMessages.RESOURCE_LIFECYCLE);
    return Optional.of(new Reading(record, envelope, event.tenantId(), event.arrayId(), null, "ACCEPTED"));
  }

  private static String rawType(ConsumerRecord<String, byte[]> record) {
    try {
      JsonNode type = JSON.readTree(record.value()).get("type");
      return type == null ? "" : type.asText();
    } catch (Exception e) {
      return "";
    }
  }

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
        classified.add(new Reading(reading.record(), reading.envelope(), reading.tenantId(), reading.arrayId(), reading.sample(), "LATE"));
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

  /** Inserts all readings in one statement; returns the keys that were new. */
  private Set<String> insertReadings(Connection connection, List<Reading> readings) throws SQLException {
    Set<String> inserted = new HashSet<>();
    if (readings.isEmpty()) {
      return inserted;
    }
    int n = readings.size();
    Object[] source = new Object[n], sequence = new Object[n], id = new Object[n], type = new Object[n],
        tenant = new Object[n], array = new Object[n], start = new Object[n], end = new Object[n],
        status = new Object[n], envelope = new Object[n], topic = new Object[n], partition = new Object[n],
        offset = new Object[n];
    for (int i = 0; i < n; i++) {
      Reading r = readings.get(i);
      source[i] = r.envelope().source();
      sequence[i] = r.envelope().sequence();
      id[i] = r.envelope().id();
      type[i] = r.envelope().type();
      tenant[i] = r.tenantId();
      array[i] = r.arrayId();
      start[i] = r.sample() == null ? null : r.sample().intervalStart().toString();
      end[i] = r.sample() == null ? null : r.sample().intervalEnd().toString();
      status[i] = r.status();
      envelope[i] = new String(r.record().value(), StandardCharsets.UTF_8); // as received, already checked by decode
      topic[i] = r.record().topic();
      partition[i] = r.record().partition();
      offset[i] = r.record().offset();
    }
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO reading (source, sequence, message_id, type, tenant_id, array_id, interval_start, interval_end, "
            + "status, envelope, kafka_topic, kafka_partition, kafka_offset, received_at) "
            + "SELECT s, q, m, t, te, a, st::timestamptz, en::timestamptz, su, e::jsonb, kt, kp, ko, ? FROM unnest("
            + "?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], "
            + "?::text[], ?::text[], ?::int[], ?::bigint[]) AS x(s, q, m, t, te, a, st, en, su, e, kt, kp, ko) "
            + "ON CONFLICT (source, sequence) DO NOTHING RETURNING source, sequence")) {
      insert.setTimestamp(1, Timestamp.from(Instant.now()));
      Array[] columns = {
        connection.createArrayOf("text", source), connection.createArrayOf("bigint", sequence),
        connection.createArrayOf("text", id), connection.createArrayOf("text", type),
        connection.createArrayOf("text", tenant), connection.createArrayOf("text", array),
        connection.createArrayOf("text", start), connection.createArrayOf("text", end),
        connection.createArrayOf("text", status), connection.createArrayOf("text", envelope),
        connection.createArrayOf("text", topic), connection.createArrayOf("integer", partition),
        connection.createArrayOf("bigint", offset)
      };
      for (int c = 0; c < columns.length; c++) {
        insert.setArray(c + 2, columns[c]);
      }
      try (ResultSet rows = insert.executeQuery()) {
        while (rows.next()) {
          inserted.add(rows.getString(1) + "\u0000" + rows.getLong(2));
        }
      }
    }
    return inserted;
  }

  private static void addToRollups(Connection connection, Map<HourlyIncrement.Row, BigDecimal> rollup) throws SQLException {
    if (rollup.isEmpty()) {
      return;
    }
    Set<String> tenants = new java.util.TreeSet<>();
    rollup.keySet().forEach(row -> tenants.add(row.tenantId()));
    UsageGenerations.lockShared(connection, tenants);
    Map<UsageGenerations.TenantMonth, Integer> generations = UsageGenerations.current(connection, tenants);
    int n = rollup.size();
    Object[] tenant = new Object[n], array = new Object[n], resource = new Object[n], hour = new Object[n],
        generation = new Object[n], quantity = new Object[n];
    int i = 0;
    for (Map.Entry<HourlyIncrement.Row, BigDecimal> entry : rollup.entrySet()) {
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
            + "ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset")) {
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
