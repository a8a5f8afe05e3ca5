package io.strata.agent.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.strata.agent.usage.EngineCounters;
import io.strata.agent.usage.EngineStats;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import io.strata.engine.stats.PoolUsage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Per-array and per-pool figures of the engines on this node, for Prometheus: the array's state,
 * its engine's restarts and failed drives (from the status the agent reports), the reads and
 * writes its engine completed (counters from the engine's stats file, which restart at 0 with the
 * engine, as Prometheus counters may), and what each pool holds by tier, its cache and SSD-tier
 * sizes (the stats file's pools).
 *
 * <p>Nothing here is on the data path: the engine already writes its stats file once a second;
 * {@link #refresh()} reads each array's file once (the agent calls it on a timer), and a scrape only
 * reads the values kept from the last refresh. Meters appear with an array and leave with it.
 * Labels: {@code array} and {@code tenant} (ids: this is the one service whose metrics carry them,
 * docs/observability.md "Who may scrape"), {@code pool} and {@code media} names from the layout,
 * and fixed sets ({@code state}, {@code tier}).
 */
public final class EngineMetrics {

  /** The array states a gauge is kept for (DELETED arrays leave the node, and their meters go). */
  static final List<ArrayStatus.State> STATES = List.of(ArrayStatus.State.PROVISIONING, ArrayStatus.State.ONLINE,
      ArrayStatus.State.DEGRADED, ArrayStatus.State.FAILED);

  private final MeterRegistry registry;
  private final Supplier<List<ArrayView>> arrays;
  private final Function<Path, EngineStats> statsReader;
  private volatile Map<String, Reading> readings = Map.of();
  private final Map<String, List<Meter>> metersByArray = new HashMap<>();
  private final Map<String, Set<String>> poolsByArray = new HashMap<>();

  /** One array's figures at the last refresh: its stats file read once. */
  record Reading(ArrayView view, EngineStats stats, Map<String, PoolUsage> pools) {
    EngineCounters io() {
      return stats.counters();
    }
  }

  public EngineMetrics(MeterRegistry registry, Supplier<List<ArrayView>> arrays) {
    this(registry, arrays, EngineStats::read);
  }

  /** With the stats files read by {@code statsReader} (a test counts the reads). */
  EngineMetrics(MeterRegistry registry, Supplier<List<ArrayView>> arrays, Function<Path, EngineStats> statsReader) {
    this.registry = registry;
    this.arrays = arrays;
    this.statsReader = statsReader;
  }

  /** The figures of every array at the last refresh (what {@link EngineCollector} exports). */
  Collection<Reading> readings() {
    return readings.values();
  }

  /** Reads every array's status and stats file once; adds the meters of new arrays and pools, removes gone ones. */
  public synchronized void refresh() {
    Map<String, Reading> next = new HashMap<>();
    for (ArrayView view : arrays.get()) {
      EngineStats stats = statsReader.apply(view.statsFile()); // one read of the file per refresh
      Map<String, PoolUsage> pools = new HashMap<>();
      for (PoolUsage pool : stats.space().pools()) {
        pools.put(pool.pool(), pool);
      }
      next.put(view.arrayId(), new Reading(view, stats, pools));
    }
    readings = Map.copyOf(next);
    for (Reading reading : next.values()) {
      if (!metersByArray.containsKey(reading.view().arrayId())) {
        metersByArray.put(reading.view().arrayId(), new ArrayList<>(arrayMeters(reading.view())));
      }
      Set<String> known = poolsByArray.computeIfAbsent(reading.view().arrayId(), a -> new HashSet<>());
      for (PoolUsage pool : reading.pools().values()) {
        if (known.add(pool.pool())) {
          metersByArray.get(reading.view().arrayId()).addAll(poolMeters(reading.view(), pool));
        }
      }
    }
    for (String gone : new HashSet<>(metersByArray.keySet())) {
      if (!next.containsKey(gone)) {
        metersByArray.remove(gone).forEach(registry::remove);
        poolsByArray.remove(gone);
      }
    }
  }

  /** The stats of array {@code arrayId} read at the last refresh, or null when it was not measured. */
  public EngineStats latest(String arrayId) {
    Reading r = readings.get(arrayId);
    return r == null ? null : r.stats();
  }

  /** How many arrays have meters now. */
  public synchronized int arraysMeasured() {
    return metersByArray.size();
  }

  private List<Meter> arrayMeters(ArrayView view) {
    String id = view.arrayId();
    Tags tags = Tags.of("array", id, "tenant", view.tenant());
    List<Meter> meters = new ArrayList<>();
    for (ArrayStatus.State state : STATES) {
      meters.add(Gauge.builder("strata_array_state", this, m -> m.stateIs(id, state))
          .description("1 for the state the array is in (PROVISIONING, ONLINE, DEGRADED, FAILED), 0 for the others")
          .tags(tags).tag("state", state.name()).register(registry));
    }
    meters.add(gauge("strata_array_engine_running", "1 while the array's engine process runs", tags, id,
        r -> r.view().engineRunning() ? 1 : 0));
    meters.add(gauge("strata_array_drives_failed", "Drives of the array its engine reports FAILED", tags, id,
        r -> failedDrives(r.view().status())));
    meters.add(counter("strata_array_engine_restarts", "Restarts of the array's engine by the agent", tags, id,
        r -> r.view().status() == null ? 0 : r.view().status().restarts()));
    meters.add(counter("strata_array_read_operations", "Reads the array's engine completed (since it started)",
        tags, id, r -> r.io().readOps()));
    meters.add(counter("strata_array_write_operations", "Writes the array's engine completed (since it started)",
        tags, id, r -> r.io().writeOps()));
    meters.add(counter("strata_array_read_bytes", "Bytes the array's engine read for initiators (since it started)",
        tags, id, r -> r.io().readBytes()));
    meters.add(counter("strata_array_written_bytes", "Bytes initiators wrote to the array's engine (since it started)",
        tags, id, r -> r.io().writeBytes()));
    return meters;
  }

  private List<Meter> poolMeters(ArrayView view, PoolUsage first) {
    String id = view.arrayId();
    String name = first.pool();
    Tags tags = Tags.of("array", id, "tenant", view.tenant(), "pool", name, "media", first.media());
    return List.of(
        poolGauge("strata_pool_capacity_bytes", "Space the pool offers to volumes, after protection", tags, id, name,
            PoolUsage::capacityBytes),
        poolGauge("strata_pool_provisioned_bytes", "Sizes of the pool's volumes and clones added up (thin: may exceed capacity)",
            tags, id, name, PoolUsage::volumeBytes),
        poolGauge("strata_pool_used_bytes", "Space written in the pool, by the tier it lives on now",
            tags.and("tier", "ssd"), id, name, PoolUsage::ssdUsedBytes),
        poolGauge("strata_pool_used_bytes", "Space written in the pool, by the tier it lives on now",
            tags.and("tier", "hdd"), id, name, PoolUsage::hddUsedBytes),
        poolGauge("strata_pool_snapshot_bytes", "Space only the pool's snapshots hold (part of the used bytes)",
            tags, id, name, PoolUsage::snapshotBytes),
        poolGauge("strata_pool_cache_ssd_bytes", "Size of the SSD serving the pool's flash cache, 0 without one",
            tags, id, name, PoolUsage::cacheBytes),
        poolGauge("strata_pool_ssd_tier_bytes", "Size of the SSD serving the pool's SSD tier, 0 without one",
            tags, id, name, PoolUsage::ssdTierBytes));
  }

  private double stateIs(String arrayId, ArrayStatus.State state) {
    Reading r = readings.get(arrayId);
    return r == null || r.view().status() == null ? Double.NaN : r.view().status().state() == state ? 1 : 0;
  }

  private static int failedDrives(ArrayStatus status) {
    if (status == null) {
      return 0;
    }
    return (int) status.objects().stream()
        .filter(o -> o.kind() == ObjectStatus.Kind.DRIVE && o.state() == ObjectStatus.State.FAILED)
        .count();
  }

  private double value(String arrayId, ToDoubleFunction<Reading> f) {
    Reading r = readings.get(arrayId);
    return r == null ? Double.NaN : f.applyAsDouble(r);
  }

  private Meter gauge(String name, String help, Tags tags, String arrayId, ToDoubleFunction<Reading> f) {
    return Gauge.builder(name, this, m -> m.value(arrayId, f)).description(help).tags(tags).register(registry);
  }

  private Meter counter(String name, String help, Tags tags, String arrayId, ToDoubleFunction<Reading> f) {
    return FunctionCounter.builder(name, this, m -> m.value(arrayId, f)).description(help).tags(tags).register(registry);
  }

  private Meter poolGauge(String name, String help, Tags tags, String arrayId, String pool,
      ToDoubleFunction<PoolUsage> f) {
    return gauge(name, help, tags, arrayId, r -> {
      PoolUsage usage = r.pools().get(pool);
      return usage == null ? Double.NaN : f.applyAsDouble(usage);
    });
  }
}
