package io.strata.agent.performance;

import io.strata.agent.usage.EngineCounters;
import io.strata.agent.usage.EngineStats;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.event.ArrayPerformance;
import io.strata.contracts.event.ArrayPerformance.Kind;
import io.strata.contracts.event.ArrayPerformance.Series;
import io.strata.engine.stats.PoolUsage;
import io.strata.engine.stats.StackFigures;
import io.strata.engine.stats.VolumeFigures;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Turns the engines' cumulative figures into the tenants' performance history: every interval,
 * for each array this node runs, what the array, each pool and each volume that did I/O did since
 * the last sample (operations, bytes, p50/p99 latency from the latency buckets, cache hits and
 * misses) and what the pools hold by tier, as one {@link ArrayPerformance} event.
 *
 * <p>It reads no file itself: it takes the reading the metrics refresh keeps
 * ({@code EngineMetrics}), so each stats file is still read once per refresh.
 */
public final class PerformanceSampler {

  private static final Logger LOG = Logger.getLogger(PerformanceSampler.class);

  private final String nodeId;
  private final Supplier<List<ArrayDesiredState>> arrays;
  private final Function<String, EngineStats> latest;
  private final Consumer<ArrayPerformance> sink;
  private final Clock clock;
  private final Map<String, Previous> previous = new HashMap<>();

  private record Previous(Instant at, EngineStats stats) {}

  public PerformanceSampler(String nodeId, Supplier<List<ArrayDesiredState>> arrays,
      Function<String, EngineStats> latest, Consumer<ArrayPerformance> sink, Clock clock) {
    this.nodeId = nodeId;
    this.arrays = arrays;
    this.latest = latest;
    this.sink = sink;
    this.clock = clock;
  }

  /** Samples every array; the first call for an array (or after its engine was silent) only starts its interval. */
  public synchronized List<ArrayPerformance> sampleAll() {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    List<ArrayPerformance> sent = new ArrayList<>();
    List<ArrayDesiredState> held = arrays.get();
    previous.keySet().retainAll(held.stream().map(ArrayDesiredState::arrayId).toList());
    for (ArrayDesiredState array : held) {
      EngineStats stats = latest.apply(array.arrayId());
      if (stats == null || stats == EngineStats.NONE) {
        previous.remove(array.arrayId());
        continue;
      }
      Previous before = previous.put(array.arrayId(), new Previous(now, stats));
      if (before == null || !now.isAfter(before.at())) {
        continue;
      }
      try {
        ArrayPerformance sample = new ArrayPerformance(array.arrayId(), nodeId, before.at(), now,
            series(array.arrayId(), poolOfVolume(array), before.stats(), stats));
        sink.accept(sample);
        sent.add(sample);
      } catch (RuntimeException e) {
        LOG.warnf("performance of array %s not sampled: %s", array.arrayId(), e.getMessage());
      }
    }
    return sent;
  }

  /** Figures summed over volumes, then turned into a series. */
  private static final class Sum {
    long readOps;
    long writeOps;
    long readBytes;
    long writtenBytes;
    long[] readLatency;
    long[] writeLatency;
    Long cacheHits;
    Long cacheMisses;
    Long ssdUsed;
    Long hddUsed;

    void add(long ro, long wo, long rb, long wb, long[] rl, long[] wl) {
      readOps += ro;
      writeOps += wo;
      readBytes += rb;
      writtenBytes += wb;
      readLatency = LatencyQuantiles.plus(readLatency, rl);
      writeLatency = LatencyQuantiles.plus(writeLatency, wl);
    }

    void addCache(long hits, long misses) {
      cacheHits = (cacheHits == null ? 0 : cacheHits) + hits;
      cacheMisses = (cacheMisses == null ? 0 : cacheMisses) + misses;
    }

    void addUsed(long ssd, long hdd) {
      ssdUsed = (ssdUsed == null ? 0 : ssdUsed) + ssd;
      hddUsed = (hddUsed == null ? 0 : hddUsed) + hdd;
    }

    Series series(Kind kind, String id) {
      return new Series(kind, id, readOps, writeOps, readBytes, writtenBytes,
          LatencyQuantiles.quantileMicros(readLatency, 0.5), LatencyQuantiles.quantileMicros(readLatency, 0.99),
          LatencyQuantiles.quantileMicros(writeLatency, 0.5), LatencyQuantiles.quantileMicros(writeLatency, 0.99),
          cacheHits, cacheMisses, ssdUsed, hddUsed);
    }
  }

  private static Map<String, String> poolOfVolume(ArrayDesiredState array) {
    Map<String, String> out = new HashMap<>();
    for (var v : array.volumes()) {
      out.put(v.volumeId(), v.poolId());
    }
    return out;
  }

  /** The array's, its pools' and its busy volumes' figures between two readings of its engine's stats. */
  static List<Series> series(String arrayId, Map<String, String> poolOfVolume, EngineStats before, EngineStats now) {
    boolean sameRun = before.counters().run().equals(now.counters().run());
    Map<String, VolumeFigures> earlier = new HashMap<>();
    if (sameRun) {
      before.volumes().stream().filter(v -> v.volume() != null).forEach(v -> earlier.put(v.volume(), v));
    }
    Sum whole = new Sum();
    Map<String, Sum> pools = new LinkedHashMap<>();
    for (PoolUsage p : now.space().pools()) {
      pools.computeIfAbsent(p.pool(), k -> new Sum()).addUsed(p.ssdUsedBytes(), p.hddUsedBytes());
      whole.addUsed(p.ssdUsedBytes(), p.hddUsedBytes());
    }
    Map<String, StackFigures.Cache> cachesBefore = new HashMap<>();
    if (sameRun) {
      before.caches().forEach(c -> cachesBefore.put(c.pool(), c));
    }
    for (StackFigures.Cache c : now.caches()) {
      StackFigures.Cache b = cachesBefore.get(c.pool());
      long hits = b == null || b.readHits() > c.readHits() ? c.readHits() : c.readHits() - b.readHits();
      long misses = b == null || b.readMisses() > c.readMisses() ? c.readMisses() : c.readMisses() - b.readMisses();
      pools.computeIfAbsent(c.pool(), k -> new Sum()).addCache(hits, misses);
      whole.addCache(hits, misses);
    }
    List<Series> volumes = new ArrayList<>();
    for (VolumeFigures v : now.volumes()) {
      if (v.volume() == null) {
        continue;
      }
      VolumeFigures b = earlier.get(v.volume());
      boolean restart = b == null || b.readOps() > v.readOps() || b.writeOps() > v.writeOps();
      Sum one = new Sum();
      one.add(v.readOps() - (restart ? 0 : b.readOps()), v.writeOps() - (restart ? 0 : b.writeOps()),
          v.readBytes() - (restart ? 0 : b.readBytes()), v.writeBytes() - (restart ? 0 : b.writeBytes()),
          LatencyQuantiles.between(restart ? null : b.readLatency(), v.readLatency()),
          LatencyQuantiles.between(restart ? null : b.writeLatency(), v.writeLatency()));
      if (one.readOps + one.writeOps == 0) {
        continue; // idle: nothing to chart, no row to keep
      }
      volumes.add(one.series(Kind.VOLUME, v.volume()));
      whole.readLatency = LatencyQuantiles.plus(whole.readLatency, one.readLatency);
      whole.writeLatency = LatencyQuantiles.plus(whole.writeLatency, one.writeLatency);
      String pool = poolOfVolume.get(v.volume());
      if (pool != null) {
        pools.computeIfAbsent(pool, k -> new Sum()).add(one.readOps, one.writeOps, one.readBytes,
            one.writtenBytes, one.readLatency, one.writeLatency);
      }
    }
    EngineCounters io = now.counters().since(before.counters());
    whole.readOps = io.readOps();
    whole.writeOps = io.writeOps();
    whole.readBytes = io.readBytes();
    whole.writtenBytes = io.writeBytes();
    List<Series> out = new ArrayList<>();
    out.add(whole.series(Kind.ARRAY, arrayId));
    pools.forEach((pool, sum) -> out.add(sum.series(Kind.POOL, pool)));
    out.addAll(volumes);
    return out;
  }
}
