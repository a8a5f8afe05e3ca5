package io.strata.billing.metering;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.billing.config.MeteringConfig;
import io.strata.contracts.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Billing's members of the {@code strata-billing} consumer group on strata.usage and strata.events:
 * {@code consumers} of them, each on a thread of its own with its own Kafka consumer, so that the
 * partitions are stored in parallel (one member decodes while another's batch is in PostgreSQL).
 * A member polls a batch, has {@link ReadingStore} store it with the partition offsets in one
 * database transaction, and only then tells Kafka (asynchronously, for lag monitoring). On every
 * assignment it seeks to the offsets stored in PostgreSQL, which are the truth; Kafka's committed
 * offsets are never used to decide what to read.
 *
 * <p>Why members cannot double-count each other: a reading is stored by an insert that skips a
 * (source, sequence) already stored, and only what that insert returns is added to the rollups, in
 * the same transaction; if two members ever hold the same records (a partition handed over
 * while its old owner's batch commits), PostgreSQL makes the second insert wait for the first and
 * then skip. The agents key samples by array, so one array's rollup rows are written by one
 * member at a time.
 */
@ApplicationScoped
public class MeteringConsumer {

  private static final Logger LOG = Logger.getLogger(MeteringConsumer.class);

  /** The name of every member's thread (profilers and the benchmark find them by it). */
  public static final String THREAD_NAME = "billing-metering";

  @Inject ReadingStore store;
  @Inject MeteringConfig config;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  private final AtomicLong storedReadings = new AtomicLong();
  private final List<Member> members = new ArrayList<>();
  private volatile boolean running;

  void onStart(@Observes StartupEvent event) {
    if (config.enabled()) {
      start();
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    stop();
  }

  /** Joins the group with {@code consumers} members, each consuming on a thread of its own. */
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    for (int i = 1; i <= config.consumers(); i++) {
      Member member = new Member(newKafkaConsumer(i));
      member.thread = new Thread(member::run, THREAD_NAME);
      member.thread.setDaemon(true);
      members.add(member);
      member.thread.start();
    }
  }

  private KafkaConsumer<String, byte[]> newKafkaConsumer(int number) {
    Properties properties = new Properties();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
    // a backlog is read in large fetches (one database transaction per poll, so fewer and larger
    // batches cost less); a quiet stream waits at most fetch.max.wait.ms for the next message
    properties.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 256 * 1024);
    properties.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "strata-billing-metering-" + number);
    // notice topics created after start (the agents' first samples create strata.usage) within seconds
    properties.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 10_000);
    return new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** Leaves the group; what was stored stays stored, the rest is read again by whoever takes over. */
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    for (Member member : members) {
      member.kafka.wakeup();
    }
    for (Member member : members) {
      try {
        member.thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    members.clear();
  }

  /** True while every member is consuming (a member that died on an unexpected error makes it false). */
  public synchronized boolean isRunning() {
    return running && !members.isEmpty() && members.stream().allMatch(m -> m.thread.isAlive());
  }

  /** Readings stored by this instance since it started (new ones only, not duplicates). */
  public long storedReadings() {
    return storedReadings.get();
  }

  /** One member of the group: its Kafka consumer and the thread that polls it. */
  private final class Member {
    final KafkaConsumer<String, byte[]> kafka;
    Thread thread;

    Member(KafkaConsumer<String, byte[]> kafka) {
      this.kafka = kafka;
    }

    void run() {
      try (kafka) {
        kafka.subscribe(List.of(Topics.USAGE, Topics.EVENTS), new SeekToStoredOffsets(kafka));
        while (running) {
          ConsumerRecords<String, byte[]> records = kafka.poll(Duration.ofMillis(500));
          if (records.isEmpty()) {
            continue;
          }
          List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records.count());
          records.forEach(batch::add);
          try {
            ReadingStore.BatchResult result = store.store(config.groupId(), batch);
            storedReadings.addAndGet(result.stored());
            LOG.debugf("stored batch: %s", result);
            kafka.commitAsync(nextOffsets(batch), null);
          } catch (RuntimeException e) {
            LOG.errorf(e, "a batch of %d messages was not stored; reading it again from the stored offsets", batch.size());
            rewind(kafka, records.partitions());
            sleepQuietly(1_000);
          }
        }
      } catch (WakeupException e) {
        // stop() asked us to leave
      } catch (RuntimeException e) {
        LOG.error("a metering consumer stopped on an unexpected error", e);
      }
    }
  }

  private void rewind(KafkaConsumer<String, byte[]> kafka, Collection<TopicPartition> partitions) {
    Map<TopicPartition, Long> stored = store.storedOffsets(config.groupId(), partitions);
    for (TopicPartition partition : partitions) {
      Long offset = stored.get(partition);
      if (offset != null) {
        kafka.seek(partition, offset);
      } else {
        kafka.seekToBeginning(List.of(partition));
      }
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<ConsumerRecord<String, byte[]>> batch) {
    Map<TopicPartition, OffsetAndMetadata> next = new java.util.HashMap<>();
    for (ConsumerRecord<String, byte[]> record : batch) {
      next.merge(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1),
          (a, b) -> a.offset() >= b.offset() ? a : b);
    }
    return next;
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** On every assignment, continue from what PostgreSQL says was stored. */
  private final class SeekToStoredOffsets implements ConsumerRebalanceListener {
    private final KafkaConsumer<String, byte[]> kafka;

    SeekToStoredOffsets(KafkaConsumer<String, byte[]> kafka) {
      this.kafka = kafka;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        rewind(kafka, partitions);
        LOG.infof("metering assigned %s", partitions);
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // every polled batch is stored (or rolled back) before the next poll: nothing to flush
    }
  }
}
