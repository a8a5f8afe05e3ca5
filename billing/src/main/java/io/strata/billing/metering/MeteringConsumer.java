package io.strata.billing.metering;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.billing.config.MeteringConfig;
import io.strata.billing.metrics.MeteringMeters;
import io.strata.billing.tracing.MeteringSpans;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
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
  @Inject MeteringMeters meters;
  @Inject MeterRegistry registry;
  @Inject MeteringSpans spans;

  /**
   * The thread that looks for the Kafka client's new figures (a partition's lag appears once the
   * partition is assigned), one per member's consumer, stopped with it.
   */
  public static final String KAFKA_METRICS_THREAD_NAME = "billing-kafka-metrics";

  private static final ThreadFactory KAFKA_METRICS_THREADS = runnable -> {
    Thread thread = new Thread(runnable, KAFKA_METRICS_THREAD_NAME);
    thread.setDaemon(true);
    return thread;
  };

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
      Member member = new Member(i);
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
      member.wakeUp();
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

  /** True while every member is consuming (none stopped on an error and waiting to be restarted). */
  public synchronized boolean isRunning() {
    return running && !members.isEmpty()
        && members.stream().allMatch(m -> m.thread.isAlive() && m.state().state() != MemberState.State.STOPPED);
  }

  /** Each member's state, for the health check and operators. */
  public synchronized List<MemberState> memberStates() {
    return members.stream().map(Member::state).toList();
  }

  /** Readings stored by this instance since it started (new ones only, not duplicates). */
  public long storedReadings() {
    return storedReadings.get();
  }

  /**
   * Where a member stands. {@code STOPPED}: its last Kafka consumer failed ({@code error} says how)
   * and it waits {@code restartIn} before it joins the group again; it is {@code CONSUMING} again
   * once it has stored a batch after the restart, or polled without failing for the longest
   * backoff (an empty topic).
   */
  public record MemberState(int number, State state, int failuresInARow, String error, Duration restartIn) {
    public enum State { STARTING, CONSUMING, STOPPED }
  }

  /**
   * One member of the group and the thread that runs it. The thread supervises the member's Kafka
   * consumer: whatever stops the consumer (a batch the database refused, stored offsets it could
   * not read, a Kafka error) closes it, and after a backoff a new one joins the group, which seeks
   * to the offsets stored in PostgreSQL; so nothing is lost or counted twice, and metering goes on
   * by itself once the cause is gone. A backoff loop rather than a retry library: the unit retried
   * is the thread's whole life, its delay must reset once it consumed again, and the health check
   * reads its state.
   */
  private final class Member {
    final int number;
    Thread thread;
    private volatile KafkaConsumer<String, byte[]> kafka;
    private volatile MemberState state;

    Member(int number) {
      this.number = number;
      this.state = new MemberState(number, MemberState.State.STARTING, 0, null, null);
    }

    MemberState state() {
      return state;
    }

    void wakeUp() {
      KafkaConsumer<String, byte[]> current = kafka;
      if (current != null) {
        current.wakeup();
      }
    }

    void run() {
      int failures = 0;
      while (running) {
        try {
          consume();
        } catch (WakeupException e) {
          // stop() asked us to leave
        } catch (RuntimeException e) {
          failures = state.state() == MemberState.State.CONSUMING ? 1 : failures + 1;
          Duration delay = backoff(failures);
          state = new MemberState(number, MemberState.State.STOPPED, failures, describe(e), delay);
          LOG.errorf(e, "metering consumer %d stopped (failure %d in a row); it restarts in %s from the stored offsets",
              number, failures, delay);
          pause(delay);
        }
      }
    }

    /** One Kafka consumer's life: until stop() or an error. */
    private void consume() {
      // Micrometer leaves a scheduler it is given running: this consumer's stops with it
      ScheduledExecutorService kafkaMetricsTimer = Executors.newSingleThreadScheduledExecutor(KAFKA_METRICS_THREADS);
      try (KafkaConsumer<String, byte[]> consumer = newKafkaConsumer(number);
          // lag per partition and the client's own figures, labelled with the group, while it lives
          KafkaClientMetrics kafkaMetrics = new KafkaClientMetrics(consumer, Tags.of("group", config.groupId()),
              kafkaMetricsTimer, config.kafkaMetricsRefresh())) {
        kafkaMetrics.bindTo(registry);
        kafka = consumer;
        if (!running) {
          return; // stop() came between two consumers: it woke none of ours
        }
        consumer.subscribe(List.of(Topics.USAGE, Topics.EVENTS), new SeekToStoredOffsets(consumer));
        // After a failure, an empty poll proves nothing (the first ones come back empty while the
        // member joins the group, before it meets the batch that failed): it counts as
        // consuming again once it has stored a batch, or polled without a failure for as long as
        // the longest backoff. Otherwise a batch that always fails would restart it every
        // restart-backoff, flipping readiness, instead of backing off.
        boolean afterFailure = state.state() == MemberState.State.STOPPED;
        long joinedAt = System.nanoTime();
        while (running) {
          ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
          if (!records.isEmpty()) {
            List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records.count());
            records.forEach(batch::add);
            // the agents' traces go on through the store (records without a traceparent: no span)
            MeteringSpans.Batch traced = spans.start(batch);
            ReadingStore.BatchResult result;
            try {
              result = store.store(config.groupId(), batch);
            } catch (RuntimeException e) {
              traced.failed(e);
              throw e;
            }
            traced.stored(result.toString());
            storedReadings.addAndGet(result.stored());
            meters.batch(result);
            LOG.debugf("stored batch: %s", result);
            consumer.commitAsync(nextOffsets(batch), null);
          }
          boolean proven = !afterFailure || !records.isEmpty()
              || System.nanoTime() - joinedAt >= config.restartBackoffMax().toNanos();
          if (state.state() != MemberState.State.CONSUMING && proven) {
            if (state.state() == MemberState.State.STOPPED) {
              LOG.infof("metering consumer %d consumes again", number);
            }
            state = new MemberState(number, MemberState.State.CONSUMING, 0, null, null);
          }
        }
      } finally {
        kafka = null;
        kafkaMetricsTimer.shutdownNow();
      }
    }

    private Duration backoff(int failures) {
      Duration delay = config.restartBackoff().multipliedBy(1L << Math.min(failures - 1, 20));
      return delay.compareTo(config.restartBackoffMax()) > 0 ? config.restartBackoffMax() : delay;
    }

    /** Waits before a restart, in short steps so that stop() is not held up. */
    private void pause(Duration delay) {
      long until = System.nanoTime() + delay.toNanos();
      while (running && System.nanoTime() < until) {
        sleepQuietly(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
      }
    }
  }

  private static String describe(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.length() > 300 ? message.substring(0, 300) + "..." : message;
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
