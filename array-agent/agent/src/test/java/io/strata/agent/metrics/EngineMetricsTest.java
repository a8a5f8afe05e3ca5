package io.strata.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import io.strata.engine.stats.IoCounters;
import io.strata.engine.stats.PoolUsage;
import io.strata.engine.stats.StatsFile;
import io.strata.metrics.PrometheusNaming;
import io.strata.testsupport.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
