package io.strata.agent.performance;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.agent.usage.EngineCounters;
import io.strata.agent.usage.EngineSpace;
import io.strata.agent.usage.EngineStats;
import io.strata.contracts.event.ArrayPerformance.Kind;
import io.strata.contracts.event.ArrayPerformance.Series;
import io.strata.engine.stats.LatencyHistogram;
import io.strata.engine.stats.PoolUsage;
import io.strata.engine.stats.StackFigures;
import io.strata.engine.stats.VolumeFigures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a tenant's performance chart gets from two readings of an engine's stats: the interval's
 * operations and bytes per volume, pool and array, p50/p99 latency from the latency buckets,
 * the cache's hits in the interval, space by tier; idle volumes and engine restarts.
 */
class PerformanceSamplerTest {

  static final int BUCKETS = LatencyHistogram.BOUNDS_MICROS.length + 1;

  /** Cumulative buckets with {@code fast} I/Os at ≤ 100 µs (bucket 2) and {@code slow} ones at ≤ 10 ms (bucket 8). */
  static LatencyHistogram.Buckets latency(long fast, long slow) {
    long[] counts = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] = (i >= 2 ? fast : 0) + (i >= 8 ? slow : 0);
    }
    return new LatencyHistogram.Buckets(counts, fast * 80 + slow * 8000);
  }

  static EngineStats stats(String run, long reads, long writes, long hits, long misses, List<VolumeFigures> volumes) {
    return new EngineStats(new EngineCounters(run, reads, writes, reads * 4096, writes * 4096),
        new EngineSpace(List.of(new PoolUsage("pool-1", "HDD", true, 100L << 30, 10L << 30, 1L << 30, 3L << 30, 0, 0, 0))),
        1, volumes, List.of(new StackFigures.Cache("pool-1", hits, misses, 0, 0, 1 << 20)), List.of(), List.of(), List.of());
  }

  static Series of(List<Series> series, Kind kind, String id) {
    return series.stream().filter(s -> s.kind() == kind && s.objectId().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void theIntervalsFiguresPerVolumePoolAndArray() {
    EngineStats before = stats("1@t0", 100, 50, 10, 10, List.of(
        new VolumeFigures("vol-1", 0, 100, 50, 409600, 204800, 0, latency(100, 0), latency(50, 0)),
        new VolumeFigures("vol-idle", 1, 5, 0, 20480, 0, 0, latency(5, 0), latency(0, 0))));
    EngineStats now = stats("1@t0", 300, 60, 70, 30, List.of(
        new VolumeFigures("vol-1", 0, 300, 60, 1228800, 245760, 2, latency(297, 3), latency(60, 0)),
        new VolumeFigures("vol-idle", 1, 5, 0, 20480, 0, 0, latency(5, 0), latency(0, 0))));

    List<Series> series = PerformanceSampler.series("arr-1", Map.of("vol-1", "pool-1", "vol-idle", "pool-1"), before, now);

    Series v = of(series, Kind.VOLUME, "vol-1");
    assertThat(v.readOps()).isEqualTo(200);
    assertThat(v.writeOps()).isEqualTo(10);
    assertThat(v.readBytes()).isEqualTo(819200);
    assertThat(v.readLatencyP50Micros()).as("197 of 200 reads at ≤ 100 µs").isBetween(50L, 100L);
    assertThat(v.readLatencyP99Micros()).as("3 slow ones: more than the top 1 %").isBetween(5_000L, 10_000L);
    assertThat(v.writeLatencyP99Micros()).isBetween(50L, 100L);
    assertThat(series).as("a volume without I/O in the interval is left out")
        .noneMatch(s -> s.objectId().equals("vol-idle"));

    Series pool = of(series, Kind.POOL, "pool-1");
    assertThat(pool.readOps()).isEqualTo(200);
    assertThat(pool.cacheReadHits()).isEqualTo(60);
    assertThat(pool.cacheReadMisses()).isEqualTo(20);
    assertThat(pool.ssdUsedBytes()).isEqualTo(1L << 30);
    assertThat(pool.hddUsedBytes()).isEqualTo(3L << 30);

    Series array = of(series, Kind.ARRAY, "arr-1");
    assertThat(array.readOps()).isEqualTo(200);
    assertThat(array.writeOps()).isEqualTo(10);
    assertThat(array.writtenBytes()).isEqualTo(40960);
    assertThat(array.readLatencyP99Micros()).isEqualTo(v.readLatencyP99Micros());
  }

  @Test
  void anEngineRestartCountsFromZero() {
    EngineStats before = stats("1@t0", 1000, 0, 500, 0, List.of(
        new VolumeFigures("vol-1", 0, 1000, 0, 4096000, 0, 0, latency(1000, 0), latency(0, 0))));
    EngineStats now = stats("2@t1", 30, 0, 5, 5, List.of(
        new VolumeFigures("vol-1", 0, 30, 0, 122880, 0, 0, latency(30, 0), latency(0, 0))));

    List<Series> series = PerformanceSampler.series("arr-1", Map.of("vol-1", "pool-1"), before, now);

    assertThat(of(series, Kind.VOLUME, "vol-1").readOps()).isEqualTo(30);
    assertThat(of(series, Kind.ARRAY, "arr-1").readOps()).isEqualTo(30);
    assertThat(of(series, Kind.POOL, "pool-1").cacheReadHits()).isEqualTo(5);
    assertThat(of(series, Kind.VOLUME, "vol-1").writeLatencyP50Micros()).as("no writes: no latency").isNull();
  }
}
