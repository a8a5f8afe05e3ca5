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

  List<ConsumerRecord<String, byte[]>> batch() {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    Instant start = Instant.parse("2026-08-01T00:00:00Z");
    for (int i = 0; i < 5; i++) {
      ArrayUsageSample sample = new ArrayUsageSample("store-a", "initech", "node-9", start.plusSeconds(60L * i),
          start.plusSeconds(60L * (i + 1)), List.of(new DriveAllocation(DriveType.HDD, 1, 1_000_000_000L)), "small",
          List.of(), 0, 0, 10, 0, 0, 0);
      byte[] body = codec.encode(codec.envelope(UsageMessages.ARRAY_USAGE_SAMPLE, "agent/node-9", i + 1, "array/store-a", sample));
      records.add(new ConsumerRecord<>(Topics.USAGE, PARTITION, 1000 + i, "store-a", body));
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
}
