package io.strata.billing.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.strata.billing.service.MeteringQueries;
import io.strata.billing.support.BillingTestProfile;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.Topics;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.ArrayUsageSample.DriveAllocation;
import io.strata.contracts.usage.ArrayUsageSample.DriveType;
import io.strata.contracts.usage.UsageMessages;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The store's transaction is the unit of exactly-once: a batch that dies before its commit leaves
 * nothing behind (no reading, no rollup, no offset), and storing the same batch again stores
 * nothing new. Uses its own group, partition and tenant so it cannot disturb the stream test.
 */
@QuarkusTest
@TestProfile(BillingTestProfile.class)
class ReadingStoreTest {

  static final String GROUP = "store-test";
  static final int PARTITION = 42;
  final MessageCodec codec = MessageCodec.of(UsageMessages.ARRAY_USAGE_SAMPLE);

  @Inject ReadingStore store;
  @Inject MeteringQueries queries;
  @Inject DataSource dataSource;

  List<ConsumerRecord<String, byte[]>> batch() {
    return batch("store-a", "initech", "node-9");
  }

  List<ConsumerRecord<String, byte[]>> batch(String array, String tenant, String node) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    Instant start = Instant.parse("2026-08-01T00:00:00Z");
    for (int i = 0; i < 5; i++) {
      ArrayUsageSample sample = new ArrayUsageSample(array, tenant, node, start.plusSeconds(60L * i),
          start.plusSeconds(60L * (i + 1)), List.of(new DriveAllocation(DriveType.HDD, 1, 1_000_000_000L)), "small",
          List.of(), 0, 0, 10, 0, 0, 0);
      byte[] body = codec.encode(codec.envelope(UsageMessages.ARRAY_USAGE_SAMPLE, "agent/" + node, i + 1, "array/" + array, sample));
      records.add(new ConsumerRecord<>(Topics.USAGE, PARTITION, 1000 + i, array, body));
    }
    return records;
  }

  @Test
  void aBatchThatDiesBeforeCommitLeavesNothingAndARetryStoresItOnce() {
    QuarkusTransaction.begin();
    ReadingStore.BatchResult doomed = store.store(GROUP, batch());
    assertThat(doomed.stored()).isEqualTo(5);
    QuarkusTransaction.rollback(); // the process "died" before the commit

    TopicPartition partition = new TopicPartition(Topics.USAGE, PARTITION);
    assertThat(store.storedOffsets(GROUP, List.of(partition))).isEmpty();
    assertThat(queries.hourly("initech", Instant.parse("2026-08-01T00:00:00Z"), Instant.parse("2026-08-02T00:00:00Z"))).isEmpty();

    ReadingStore.BatchResult first = store.store(GROUP, batch());
    ReadingStore.BatchResult replay = store.store(GROUP, batch());
    assertThat(first.stored()).isEqualTo(5);
    assertThat(replay.stored()).isZero();
    assertThat(replay.duplicates()).isEqualTo(5);
    assertThat(store.storedOffsets(GROUP, List.of(partition))).isEqualTo(Map.of(partition, 1005L));
    var usage = queries.hourly("initech", Instant.parse("2026-08-01T00:00:00Z"), Instant.parse("2026-08-02T00:00:00Z"));
    // 5 minutes of 1 GB HDD = 300 GB-seconds = 0.083333 GB-hours; 50 I/Os = 0.000050 million
    assertThat(usage).extracting(u -> u.resource() + "=" + u.quantity().toPlainString())
        .containsExactlyInAnyOrder("engine:small=0.083333", "io=0.000050", "storage:HDD=0.083333");
  }

  /** One-minute samples of array {@code arrayId} of {@code tenant}: (sequence, Kafka offset) pairs, in this order. */
  List<ConsumerRecord<String, byte[]>> samples(String source, String tenant, String arrayId, int partition, long[][] sequenceAndOffset) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    Instant start = Instant.parse("2026-08-01T00:00:00Z");
    for (long[] pair : sequenceAndOffset) {
      long sequence = pair[0];
      ArrayUsageSample sample = new ArrayUsageSample(arrayId, tenant, "node-8", start.plusSeconds(60L * (sequence - 1)),
          start.plusSeconds(60L * sequence), List.of(new DriveAllocation(DriveType.HDD, 1, 1_000_000_000L)), "small",
          List.of(), 0, 0, 10, 0, 0, 0);
      byte[] body = codec.encode(codec.envelope(UsageMessages.ARRAY_USAGE_SAMPLE, source, sequence, "array/" + arrayId, sample));
      records.add(new ConsumerRecord<>(Topics.USAGE, partition, pair[1], arrayId, body));
    }
    return records;
  }

  List<String> hourly(String tenant) {
    return queries.hourly(tenant, Instant.parse("2026-08-01T00:00:00Z"), Instant.parse("2026-08-02T00:00:00Z")).stream()
        .map(u -> u.resource() + "=" + u.quantity().toPlainString()).toList();
  }

  long readingsOf(String source) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM reading WHERE source = ?")) {
      count.setString(1, source);
      try (ResultSet row = count.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  @Test
  void aBatchMixingStoredReadingsRepeatsAndNewOnesStoresAndBillsOnlyTheNewOnes() throws Exception {
    ReadingStore.BatchResult first = store.store("store-mix", samples("agent/mix", "umbrella", "mix-a", 43,
        new long[][] {{1, 0}, {2, 1}, {3, 2}}));
    assertThat(first.stored()).isEqualTo(3);

    // seq 2 and 3 again (a replay), 4 and 5 new, 4 once more within the batch (an agent's retry), 6 new
    ReadingStore.BatchResult mixed = store.store("store-mix", samples("agent/mix", "umbrella", "mix-a", 43,
        new long[][] {{2, 3}, {4, 4}, {3, 5}, {5, 6}, {4, 7}, {6, 8}}));

    assertThat(mixed.stored()).isEqualTo(3);
    assertThat(mixed.duplicates()).isEqualTo(3);
    assertThat(readingsOf("agent/mix")).isEqualTo(6);
    // six minutes of 1 GB HDD = 360 GB-seconds = 0.1 GB-hours; 6 x 10 I/Os
    assertThat(hourly("umbrella")).containsExactlyInAnyOrder("engine:small=0.100000", "io=0.000060", "storage:HDD=0.100000");
    assertThat(store.storedOffsets("store-mix", List.of(new TopicPartition(Topics.USAGE, 43))))
        .isEqualTo(Map.of(new TopicPartition(Topics.USAGE, 43), 9L));
  }

  @Test
  void aBatchThatDiesAfterItsCopyLeavesNothingAndNoStagedRowReachesALaterBatch() throws Exception {
    List<ConsumerRecord<String, byte[]>> dead = samples("agent/dead", "hooli", "dead-a", 44, new long[][] {{1, 0}, {2, 1}});
    List<ConsumerRecord<String, byte[]>> live = samples("agent/live", "hooli", "live-a", 44, new long[][] {{1, 2}, {2, 3}, {3, 4}});

    QuarkusTransaction.begin();
    try (Connection connection = dataSource.getConnection()) { // the transaction's connection, which store() gets too
      List<ReadingDecoder.Reading> staged = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> record : dead) {
        staged.add(new ReadingDecoder().decode(record).orElseThrow());
      }
      ReadingStage.stage(connection, staged); // COPY'd, never merged
      ReadingStore.BatchResult next = store.store("store-dead", live);
      assertThat(next.stored()).isEqualTo(3);
      assertThat(readingsOf("agent/dead")).as("staged rows of the dead batch are not merged by the next").isZero();
      assertThat(readingsOf("agent/live")).isEqualTo(3);
    }
    QuarkusTransaction.rollback(); // the process "died" before the commit

    assertThat(readingsOf("agent/dead")).isZero();
    assertThat(readingsOf("agent/live")).isZero();
    assertThat(hourly("hooli")).isEmpty();
    assertThat(store.storedOffsets("store-dead", List.of(new TopicPartition(Topics.USAGE, 44)))).isEmpty();

    ReadingStore.BatchResult retried = store.store("store-dead", live);
    assertThat(retried.stored()).isEqualTo(3);
    assertThat(readingsOf("agent/dead")).isZero();
    assertThat(hourly("hooli")).containsExactlyInAnyOrder("engine:small=0.050000", "io=0.000030", "storage:HDD=0.050000");
  }

  @Test
  void textThatCopyMustEscapeIsStoredExactlyAndWhatCouldNeverBeStoredIsParked() throws Exception {
    String tenant = "we\\ird\tten\nant\r\\N";
    List<ConsumerRecord<String, byte[]>> records = samples("agent/odd\tsource", tenant, "odd-a", 45, new long[][] {{1, 0}});
    records.addAll(samples("agent/nul", "nul\0tenant", "nul-a", 45, new long[][] {{1, 1}}));
    Instant start = Instant.parse("2026-08-01T00:00:00Z");
    ArrayUsageSample badEngine = new ArrayUsageSample("bad-a", "badco", "node-8", start, start.plusSeconds(60), List.of(),
        "no such size!", List.of(), 0, 0, 10, 0, 0, 0);
    records.add(new ConsumerRecord<>(Topics.USAGE, 45, 2, "bad-a",
        codec.encode(codec.envelope(UsageMessages.ARRAY_USAGE_SAMPLE, "agent/bad", 1, "array/bad-a", badEngine))));

    ReadingStore.BatchResult result = store.store("store-odd", records);

    assertThat(result.stored()).isEqualTo(1);
    assertThat(result.parked()).isEqualTo(2);
    assertThat(queries.parked(100)).extracting(p -> p.topic() + "-" + p.partition() + "@" + p.offset()).contains(Topics.USAGE + "-45@1", Topics.USAGE + "-45@2");
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement("SELECT tenant_id, envelope FROM reading WHERE source = ?")) {
      select.setString(1, "agent/odd\tsource");
      try (ResultSet row = select.executeQuery()) {
        assertThat(row.next()).isTrue();
        assertThat(row.getString(1)).isEqualTo(tenant);
        assertThat(Arrays.equals(row.getBytes(2), records.get(0).value())).as("envelope stored byte for byte").isTrue();
      }
    }
    assertThat(hourly(tenant)).contains("io=0.000010");
  }

  /**
   * Two billing replicas (docs/replicas.md N5): a member that stalled past the poll interval was
   * replaced, the partition's new owner stored up to offset 1004, then the stalled member commits
   * its old batch (up to 1001). The stored offset stays where the new owner left it. Before, it
   * went back to 1002 and the next assignment read the batch again.
   */
  @Test
  void aStaleMembersBatchDoesNotMoveTheStoredOffsetBack() {
    String group = "store-test-offsets-" + java.util.UUID.randomUUID();
    String unique = java.util.UUID.randomUUID().toString().substring(0, 8);
    List<ConsumerRecord<String, byte[]>> records = batch("offsets-" + unique, "offsets-co-" + unique, "node-" + unique);
    store.store(group, records);
    store.store(group, records.subList(0, 2));
    org.apache.kafka.common.TopicPartition partition = new org.apache.kafka.common.TopicPartition(Topics.USAGE, PARTITION);
    assertThat(store.storedOffsets(group, List.of(partition))).containsEntry(partition, 1005L);
  }
}
