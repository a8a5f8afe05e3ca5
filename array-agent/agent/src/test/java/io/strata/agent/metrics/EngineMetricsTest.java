package io.strata.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.agent.usage.EngineStats;
import io.strata.engine.stats.IoCounters;
import io.strata.engine.stats.LatencyHistogram;
import io.strata.engine.stats.StackFigures;
import io.strata.engine.stats.VolumeFigures;
import io.strata.engine.stats.PoolUsage;
import io.strata.engine.stats.StatsFile;
import io.strata.metrics.PrometheusNaming;
import io.strata.testsupport.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engines' figures as Prometheus reads them from the agent: per array its state, failed
 * drives and I/O counters, per pool what it holds by tier, from stats files the engine's own
 * {@link StatsFile} writes; promtool accepts the page; an array that leaves the node leaves it.
 */
class EngineMetricsTest {

  static final long GIB = 1L << 30;

  @TempDir Path dir;
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final List<ArrayView> views = new CopyOnWriteArrayList<>();
  final EngineMetrics metrics;

  EngineMetricsTest() {
    registry.config().meterFilter(new PrometheusNaming());
    metrics = new EngineMetrics(registry, () -> views);
  }

  static ArrayStatus status(String arrayId, ArrayStatus.State state, List<ObjectStatus> objects) {
    return new ArrayStatus(arrayId, "node-1", 1, state, null, "127.0.0.1:3261", "iqn.x", 42L, 2, "none", objects);
  }

  /** The engine's stats file as the engine writes it, with its pools. */
  Path engineStatsFile(String name, List<PoolUsage> pools) throws IOException {
    Path file = dir.resolve(name);
    try (StatsFile stats = new StatsFile(file, new IoCounters(null), () -> pools)) {
      stats.start();
    } // close() writes the file once more
    return file;
  }

  Path statsFileWithCounters(String name, long reads, long writes, long readBytes, long writtenBytes) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, "{\"pid\":1,\"startedAt\":\"2026-12-07T00:00:00Z\",\"writtenAt\":\"2026-12-07T00:00:01Z\","
        + "\"readOps\":" + reads + ",\"writeOps\":" + writes + ",\"readBytes\":" + readBytes + ",\"writeBytes\":"
        + writtenBytes + ",\"pools\":[]}\n");
    return file;
  }

  @Test
  void arraysAndPoolsAreMeasuredAndPromtoolAcceptsThePage() throws IOException {
    Path a1 = engineStatsFile("a-1.json", List.of(
        new PoolUsage("p0", "HDD", true, 100 * GIB, 150 * GIB, 10 * GIB, 70 * GIB, 5 * GIB, 8 * GIB, 16 * GIB)));
    Path a2 = statsFileWithCounters("a-2.json", 1000, 400, 4_096_000, 1_638_400);
    views.add(new ArrayView("a-1", "acme", status("a-1", ArrayStatus.State.DEGRADED, List.of(
        new ObjectStatus("a-1", ObjectStatus.Kind.DRIVE, "d-1", ObjectStatus.State.FAILED, "unreadable"),
        new ObjectStatus("a-1", ObjectStatus.Kind.DRIVE, "d-2", ObjectStatus.State.READY, null))), true, a1));
    views.add(new ArrayView("a-2", "globex", status("a-2", ArrayStatus.State.ONLINE, List.of()), true, a2));

    metrics.refresh();
    String page = registry.scrape();

    Promtool.checkMetrics(page);
    assertThat(page)
        .containsPattern("strata_array_state\\{array=\"a-1\",state=\"DEGRADED\",tenant=\"acme\",?\\} 1.0")
        .containsPattern("strata_array_state\\{array=\"a-1\",state=\"ONLINE\",tenant=\"acme\",?\\} 0.0")
        .containsPattern("strata_array_drives_failed\\{array=\"a-1\",tenant=\"acme\",?\\} 1.0")
        .containsPattern("strata_array_engine_restarts_total\\{array=\"a-1\",tenant=\"acme\",?\\} 2.0")
        .containsPattern("strata_array_read_operations_total\\{array=\"a-2\",tenant=\"globex\",?\\} 1000.0")
        .containsPattern("strata_array_write_operations_total\\{array=\"a-2\",tenant=\"globex\",?\\} 400.0")
        .containsPattern("strata_array_read_bytes_total\\{array=\"a-2\",tenant=\"globex\",?\\} 4096000.0")
        .containsPattern("strata_array_written_bytes_total\\{array=\"a-2\",tenant=\"globex\",?\\} 1638400.0")
        .containsPattern("strata_pool_capacity_bytes\\{array=\"a-1\",media=\"HDD\",pool=\"p0\",tenant=\"acme\",?\\} 1.073741824E11")
        .containsPattern("strata_pool_used_bytes\\{array=\"a-1\",media=\"HDD\",pool=\"p0\",tenant=\"acme\",tier=\"ssd\",?\\} 1.073741824E10")
        .containsPattern("strata_pool_used_bytes\\{array=\"a-1\",media=\"HDD\",pool=\"p0\",tenant=\"acme\",tier=\"hdd\",?\\} 7.516192768E10")
        .containsPattern("strata_pool_cache_ssd_bytes\\{array=\"a-1\",media=\"HDD\",pool=\"p0\",tenant=\"acme\",?\\} 8.589934592E9");

    views.removeIf(v -> v.arrayId().equals("a-1"));
    metrics.refresh();
    String after = registry.scrape();
    assertThat(after).doesNotContain("array=\"a-1\"").contains("array=\"a-2\"");
    assertThat(metrics.arraysMeasured()).isEqualTo(1);
  }

  @Test
  void anArrayWithoutStatsFileYetIsMeasuredAsNothingDone() {
    views.add(new ArrayView("a-3", "acme", status("a-3", ArrayStatus.State.PROVISIONING, List.of()), false,
        dir.resolve("missing.json")));
    metrics.refresh();
    String page = registry.scrape();
    Promtool.checkMetrics(page);
    assertThat(page)
        .containsPattern("strata_array_read_operations_total\\{array=\"a-3\",tenant=\"acme\",?\\} 0.0")
        .containsPattern("strata_array_engine_running\\{array=\"a-3\",tenant=\"acme\",?\\} 0.0")
        .containsPattern("strata_array_state\\{array=\"a-3\",state=\"PROVISIONING\",tenant=\"acme\",?\\} 1.0");
  }

  /** A stats file as an engine with a layout writes it: per-volume I/O, caches, tiers, drives, rebuilds. */
  Path detailedStatsFile(String name) throws IOException {
    long[] readCounts = new long[LatencyHistogram.BOUNDS_MICROS.length + 1];
    long[] writeCounts = new long[readCounts.length];
    for (int i = 0; i < readCounts.length; i++) {
      readCounts[i] = i < 4 ? 0 : 7; // every read took 250 µs to 500 µs
      writeCounts[i] = i < 6 ? 0 : 3; // every write 1 ms to 2.5 ms
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("pid", 7);
    doc.put("startedAt", "2026-12-07T00:00:00Z");
    doc.put("readOps", 7);
    doc.put("writeOps", 3);
    doc.put("pools", List.of(new PoolUsage("p0", "HDD", true, 100 * GIB, 10 * GIB, GIB, GIB, 0, 4 * GIB, 4 * GIB)));
    doc.put("sessions", 2);
    doc.put("volumes", List.of(new VolumeFigures("vol-1", 0, 7, 3, 7 * 4096, 3 * 8192, 1,
        new LatencyHistogram.Buckets(readCounts, 7 * 300), new LatencyHistogram.Buckets(writeCounts, 3 * 1500)),
        new VolumeFigures(null, 9, 1, 0, 512, 0, 0, LatencyHistogram.Buckets.EMPTY, LatencyHistogram.Buckets.EMPTY)));
    doc.put("caches", List.of(new StackFigures.Cache("p0", 30, 10, 3 * 65536, 8 * 65536, 64 * 65536)));
    doc.put("tiers", List.of(new StackFigures.Tier("p0", 5 << 20, 1 << 20)));
    doc.put("drives", List.of(new StackFigures.DriveState("d-1", "p0", "REBUILDING", 0),
        new StackFigures.DriveState("d-2", "p0", "FAILED", 4)));
    doc.put("rebuilds", List.of(new StackFigures.Rebuild("p0", 1, 25, 100, "COPY", 0, "d-3", 25L << 20, 100L << 20)));
    doc.put("scrubs", List.of(new StackFigures.Scrub("p0", "s1", "DONE", 100, 100, 5, 3, 2, 0, 0,
        "2026-12-07T10:00:00Z", "2026-12-07T10:20:00Z", null)));
    Path file = dir.resolve(name);
    Files.writeString(file, new ObjectMapper().writeValueAsString(doc));
    return file;
  }

  @Test
  void volumeCacheTierDriveAndSessionFiguresAreExportedAndPromtoolAcceptsThem() throws IOException {
    views.add(new ArrayView("a-1", "acme", status("a-1", ArrayStatus.State.DEGRADED, List.of()), true,
        detailedStatsFile("a-1.json")));
    try (AgentMeters meters = new AgentMeters(registry, metrics, Duration.ofHours(1))) {
      metrics.refresh();
      String page = registry.scrape();

      Promtool.checkMetrics(page);
      assertThat(page)
          .contains("strata_volume_read_operations_total{array=\"a-1\",tenant=\"acme\",volume=\"vol-1\",} 7.0")
          .contains("strata_volume_written_bytes_total{array=\"a-1\",tenant=\"acme\",volume=\"vol-1\",} 24576.0")
          .contains("strata_volume_queue_depth{array=\"a-1\",tenant=\"acme\",volume=\"vol-1\",} 1.0")
          .contains("# TYPE strata_volume_io_latency_seconds histogram")
          .contains("strata_volume_io_latency_seconds_bucket{array=\"a-1\",tenant=\"acme\",volume=\"vol-1\",op=\"read\",le=\"2.5E-4\",} 0.0")
          .contains("strata_volume_io_latency_seconds_bucket{array=\"a-1\",tenant=\"acme\",volume=\"vol-1\",op=\"read\",le=\"5.0E-4\",} 7.0")
          .contains("strata_volume_io_latency_seconds_bucket{array=\"a-1\",tenant=\"acme\",volume=\"vol-1\",op=\"write\",le=\"+Inf\",} 3.0")
          .contains("strata_volume_io_latency_seconds_count{array=\"a-1\",tenant=\"acme\",volume=\"vol-1\",op=\"write\",} 3.0")
          .contains("strata_volume_io_latency_seconds_sum{array=\"a-1\",tenant=\"acme\",volume=\"vol-1\",op=\"write\",} 0.0045")
          .contains("strata_array_iscsi_sessions{array=\"a-1\",tenant=\"acme\",} 2.0")
          .contains("strata_pool_cache_read_hits_total{array=\"a-1\",tenant=\"acme\",pool=\"p0\",} 30.0")
          .contains("strata_pool_cache_read_misses_total{array=\"a-1\",tenant=\"acme\",pool=\"p0\",} 10.0")
          .contains("strata_pool_cache_dirty_bytes{array=\"a-1\",tenant=\"acme\",pool=\"p0\",} 196608.0")
          .contains("strata_pool_tier_promoted_bytes_total{array=\"a-1\",tenant=\"acme\",pool=\"p0\",} 5242880.0")
          .contains("strata_pool_rebuilding_drives{array=\"a-1\",tenant=\"acme\",pool=\"p0\",} 1.0")
          .contains("strata_pool_rebuild_progress_ratio{array=\"a-1\",tenant=\"acme\",pool=\"p0\",} 0.25")
          .contains("strata_pool_rebuild_remaining_bytes{array=\"a-1\",tenant=\"acme\",pool=\"p0\",} 7.86432E7")
          .contains("strata_pool_scrub_running{array=\"a-1\",tenant=\"acme\",pool=\"p0\",} 0.0")
          .contains("strata_pool_scrub_progress_ratio{array=\"a-1\",tenant=\"acme\",pool=\"p0\",} 1.0")
          .contains("# TYPE strata_pool_scrub_mismatched_blocks_total counter")
          .contains("strata_pool_scrub_mismatched_blocks_total{array=\"a-1\",tenant=\"acme\",pool=\"p0\",} 5.0")
          .contains("strata_pool_scrub_repaired_blocks_total{array=\"a-1\",tenant=\"acme\",pool=\"p0\",} 3.0")
          .contains("strata_pool_scrub_unrepairable_blocks_total{array=\"a-1\",tenant=\"acme\",pool=\"p0\",} 2.0")
          .contains("strata_pool_scrub_last_finished_timestamp_seconds{array=\"a-1\",tenant=\"acme\",pool=\"p0\",} 1.7966388E9")
          .contains("strata_drive_io_errors_total{array=\"a-1\",tenant=\"acme\",drive=\"d-2\",pool=\"p0\",} 4.0")
          .contains("strata_drive_state{array=\"a-1\",tenant=\"acme\",drive=\"d-1\",pool=\"p0\",state=\"REBUILDING\",} 1.0")
          .contains("strata_drive_state{array=\"a-1\",tenant=\"acme\",drive=\"d-2\",pool=\"p0\",state=\"ONLINE\",} 0.0")
          .as("a LUN the layout does not name is not a volume").doesNotContain("volume=\"null\"");
    }
    assertThat(registry.scrape()).as("the agent's meters closed: the collector is gone")
        .doesNotContain("strata_volume_read_operations_total");
  }

  @Test
  void eachStatsFileIsReadOncePerRefresh() throws IOException {
    Path file = detailedStatsFile("once.json");
    Map<Path, Integer> reads = new ConcurrentHashMap<>();
    EngineMetrics counted = new EngineMetrics(registry, () -> views, path -> {
      reads.merge(path, 1, Integer::sum);
      return EngineStats.read(path);
    });
    views.add(new ArrayView("a-1", "acme", status("a-1", ArrayStatus.State.ONLINE, List.of()), true, file));
    views.add(new ArrayView("a-2", "acme", status("a-2", ArrayStatus.State.ONLINE, List.of()), true,
        dir.resolve("other.json")));
    counted.refresh();
    assertThat(reads).as("one read of each array's file per refresh, not one per kind of figure")
        .containsEntry(file, 1).containsEntry(dir.resolve("other.json"), 1);
  }

  /** Not a timed test: prints what refreshing and scraping cost with many arrays (docs/observability.md). */
  @Test
  void scrapeCostWithManyArrays() throws IOException {
    int arrays = 200;
    List<PoolUsage> pools = new ArrayList<>();
    pools.add(new PoolUsage("p0", "SSD", false, 100 * GIB, 10 * GIB, GIB, 0, 0, 0, 0));
    pools.add(new PoolUsage("p1", "HDD", true, 100 * GIB, 10 * GIB, GIB, GIB, 0, 4 * GIB, 4 * GIB));
    Path file = engineStatsFile("shared.json", pools);
    for (int i = 0; i < arrays; i++) {
      views.add(new ArrayView("a-" + i, "t-" + (i % 10), status("a-" + i, ArrayStatus.State.ONLINE, List.of()), true, file));
    }
    metrics.refresh();
    registry.scrape();
    long t0 = System.nanoTime();
    int rounds = 10;
    for (int i = 0; i < rounds; i++) {
      metrics.refresh();
    }
    long t1 = System.nanoTime();
    String page = "";
    for (int i = 0; i < rounds; i++) {
      page = registry.scrape();
    }
    long t2 = System.nanoTime();
    System.out.printf("agent metrics with %d arrays (2 pools each): refresh %.1f ms, scrape %.1f ms, page %d kB%n",
        arrays, (t1 - t0) / 1e6 / rounds, (t2 - t1) / 1e6 / rounds, page.length() / 1024);
    assertThat(metrics.arraysMeasured()).isEqualTo(arrays);
    Promtool.checkMetrics(page);
  }
}
