package io.strata.billing.bench;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.strata.billing.metering.MeteringConsumer;
import io.strata.billing.service.InvoiceService;
import java.time.YearMonth;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.Topics;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.ArrayUsageSample.DriveAllocation;
import io.strata.contracts.usage.ArrayUsageSample.DriveType;
import io.strata.contracts.usage.UsageMessages;
import io.strata.testsupport.Tokens;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Not part of {@code mvn verify} (the name does not end in Test); run by billing/bench/run.sh.
 * Prints lines starting with {@code BENCH} that docs/benchmarks/billing.md quotes.
 *
 * <ol>
 *   <li>Ingestion: {@code bench.arrays} arrays (one tenant each) x ({@code bench.warmup.minutes} +
 *       {@code bench.minutes}) one-minute samples are published while the consumer is stopped, then
 *       the consumer starts; once the warm-up minutes are stored, the time, the metering thread's
 *       CPU, the JVM's CPU and the CPU of the database's PostgreSQL backends are measured until
 *       all are stored (committed in PostgreSQL).
 *   <li>Month close: the hourly rollups of a full month for {@code bench.tenants} tenants (720
 *       hours x 5 resources each, the rows a month of one-minute samples produces) are written by
 *       SQL, then {@code POST /api/v1/periods/2026-10/close} is timed.
 * </ol>
 */
@QuarkusTest
@TestProfile(BenchProfile.class)
class BillingBenchmark {

  static final int ARRAYS = Integer.getInteger("bench.arrays", 1000);
  static final int MINUTES = Integer.getInteger("bench.minutes", 180);
  static final int WARMUP_MINUTES = Integer.getInteger("bench.warmup.minutes", 30);
  static final int TENANTS = Integer.getInteger("bench.tenants", 1000);
  static final long GB = 1_000_000_000L;

  @Inject MeteringConsumer consumer;
  @Inject DataSource dataSource;
  @Inject InvoiceService invoices;

  @Test
  void ingestionAndMonthClose() throws Exception {
    consumer.stop();
    long warmupEvents = (long) ARRAYS * WARMUP_MINUTES;
    long events = publish() - warmupEvents; // the measured ones
    String loadBefore = loadAverage();
    long start = System.nanoTime();
    consumer.start();
    // warm-up: the first WARMUP_MINUTES of the stream let the JIT compile the hot path, as it has
    // long been in a service that replays a month; nothing is measured until they are stored
    awaitStored(warmupEvents, start);
    long measuredFrom = System.nanoTime();
    long storedBefore = consumer.storedReadings();
    double threadCpuBefore = threadCpuSeconds(MeteringConsumer.THREAD_NAME);
    long processCpuBefore = processCpuNanos();
    Map<Integer, Long> databaseTicksBefore = databaseBackendTicks();
    awaitStored(warmupEvents + events, start);
    long end = System.nanoTime();
    double meteringThreadCpu = threadCpuSeconds(MeteringConsumer.THREAD_NAME) - threadCpuBefore;
    double processCpu = (processCpuNanos() - processCpuBefore) / 1e9;
    double databaseCpu = databaseCpuSecondsSince(databaseTicksBefore);
    long measured = consumer.storedReadings() - storedBefore; // counted from the batch boundary the warm-up ended on
    double seconds = (end - measuredFrom) / 1e9;
    System.out.printf("BENCH ingestion events=%d seconds=%.2f events_per_second=%.0f (after %d warm-up events; "
            + "with the group join and warm-up: %.2f s for %d) batch=%s loadavg_before=%s loadavg_after=%s%n",
        measured, seconds, measured / seconds, storedBefore, (end - start) / 1e9, warmupEvents + events,
        System.getProperty("bench.batch", "10000"), loadBefore, loadAverage());
    // CPU seconds per 1 000 events: far less sensitive to the other sessions' load than events/s
    System.out.printf("BENCH ingestion_cpu events=%d metering_threads_cpu_s=%.2f jvm_cpu_s=%.2f postgres_backends_cpu_s=%.2f "
            + "per_1000_events: metering_threads=%.3f jvm=%.3f postgres=%.3f service(threads+postgres)=%.3f%n",
        measured, meteringThreadCpu, processCpu, databaseCpu, 1000 * meteringThreadCpu / measured, 1000 * processCpu / measured,
        1000 * databaseCpu / measured, 1000 * (meteringThreadCpu + databaseCpu) / measured);

    truncateUsage();
    long rows = writeMonthOfRollups();
    analyze();
    String ops = Tokens.accessToken("ops");
    given().auth().oauth2(ops).contentType(ContentType.JSON).body("""
        {"name":"bench","currency":"EUR","isDefault":true,"effectiveFrom":"2026-01-01T00:00:00Z",
         "rates":{"storage:SSD":"0.0001875","storage:HDD":"0.00005","engine:small":"0.05","io":"0.215","transfer":"0.01"}}""")
        .post("/api/v1/plans").then().statusCode(201);
    // called in process rather than over HTTP, so that a slow close is measured instead of timing out
    String closeLoad = loadAverage();
    long closeStart = System.nanoTime();
    List<InvoiceService.TenantOutcome> outcomes = invoices.closeAll(YearMonth.of(2026, 10), "bench");
    double closeSeconds = (System.nanoTime() - closeStart) / 1e9;
    assertThat(outcomes).allSatisfy(o -> assertThat(o.problem()).isNull());
    assertThat(outcomes).hasSize(TENANTS);
    System.out.printf("BENCH close tenants=%d rollup_rows=%d seconds=%.2f loadavg_before=%s loadavg_after=%s%n",
        TENANTS, rows, closeSeconds, closeLoad, loadAverage());
  }

  private void awaitStored(long count, long since) throws InterruptedException {
    while (consumer.storedReadings() < count) {
      Thread.sleep(20);
      // a month's replay takes far longer than a day's: allow 15 minutes or 5 000 events/s, whichever is longer
      Duration limit = Duration.ofSeconds(Math.max(15 * 60, count / 5_000));
      if (System.nanoTime() - since > limit.toNanos()) {
        throw new AssertionError("only " + consumer.storedReadings() + " of " + count + " stored after " + limit);
      }
    }
  }

  /** CPU time of the live threads of that name (the metering members are started by the benchmark, so all of it is ingestion). */
  static double threadCpuSeconds(String name) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name))
        .mapToLong(t -> threads.getThreadCpuTime(t.getId())).sum() / 1e9;
  }

  /** The whole JVM: the consumer, and also the in-process Kafka broker serving it. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * User + system CPU ticks (1/100 s) of every PostgreSQL backend connected to the benchmark's
   * database, by pid, from /proc (PostgreSQL runs on this machine). Background processes
   * (WAL writer, checkpointer, autovacuum) are not counted.
   */
  private Map<Integer, Long> databaseBackendTicks() throws Exception {
    Map<Integer, Long> ticks = new HashMap<>();
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")) {
      while (rows.next()) {
        int pid = rows.getInt(1);
        try {
          String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks.put(pid, Long.parseLong(fields[11]) + Long.parseLong(fields[12])); // utime, stime (fields 14, 15)
        } catch (java.io.IOException | RuntimeException e) {
          // not readable here (another machine, or gone): not counted
        }
      }
    }
    return ticks;
  }

  private double databaseCpuSecondsSince(Map<Integer, Long> before) throws Exception {
    long ticks = 0;
    for (Map.Entry<Integer, Long> backend : databaseBackendTicks().entrySet()) {
      ticks += backend.getValue() - before.getOrDefault(backend.getKey(), 0L);
    }
    return ticks / 100.0;
  }

  /** The 1-, 5- and 15-minute load averages, as "a/b/c" (figures on a shared machine need them beside). */
  static String loadAverage() {
    try {
      String[] parts = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split(" ");
      return parts[0] + "/" + parts[1] + "/" + parts[2];
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private long publish() throws Exception {
    MessageCodec codec = MessageCodec.of(UsageMessages.ARRAY_USAGE_SAMPLE);
    Properties properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    properties.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    properties.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    // a month of JSON samples is ~27 GB in the broker's log uncompressed, which beside the readings
    // PostgreSQL keeps (~40 GB) filled this machine's disk; compressed batches (lz4) let the month
    // fit (the agents' producer does not compress yet; the consumer decompresses either way)
    properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    Instant month = Instant.parse("2026-10-01T00:00:00Z");
    long sent = 0;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer())) {
      for (int minute = 0; minute < WARMUP_MINUTES + MINUTES; minute++) {
        Instant begin = month.plusSeconds(60L * minute);
        for (int a = 0; a < ARRAYS; a++) {
          String array = String.format("bench-a-%04d", a);
          ArrayUsageSample sample = new ArrayUsageSample(array, String.format("bench-t-%04d", a), "node-" + (a % 10), begin,
              begin.plusSeconds(60), List.of(new DriveAllocation(DriveType.SSD, 2, 1000 * GB), new DriveAllocation(DriveType.HDD, 2, 4000 * GB)),
              "small", List.of(), 0, 0, 12_000, 6_000, 48_000_000, 24_000_000);
          byte[] body = codec.encode(codec.envelope(UsageMessages.ARRAY_USAGE_SAMPLE, "agent/" + array, minute + 1, "array/" + array, sample));
          producer.send(new ProducerRecord<>(Topics.USAGE, array, body));
          sent++;
        }
      }
      producer.flush();
    }
    return sent;
  }

  private void truncateUsage() throws Exception {
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("TRUNCATE usage_hourly");
    }
  }

  /** As autovacuum would have done during a month of ingestion. */
  private void analyze() throws Exception {
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("ANALYZE usage_hourly");
    }
  }

  private long writeMonthOfRollups() throws Exception {
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      return statement.executeUpdate(
          "INSERT INTO usage_hourly (tenant_id, array_id, resource, hour, generation, quantity) "
              + "SELECT 'month-t-' || lpad(t::text, 4, '0'), 'month-a-' || lpad(t::text, 4, '0'), r.resource, h, 0, r.quantity "
              + "FROM generate_series(0, " + (TENANTS - 1) + ") t "
              + "CROSS JOIN generate_series(timestamptz '2026-10-01 00:00:00+00', timestamptz '2026-10-31 23:00:00+00', interval '1 hour') h "
              + "CROSS JOIN (VALUES ('storage:SSD', 3600000000000000::numeric), ('storage:HDD', 14400000000000000), "
              + "('engine:small', 3600), ('io', 1080000), ('transfer', 4320000000)) AS r(resource, quantity)");
    }
  }
}
