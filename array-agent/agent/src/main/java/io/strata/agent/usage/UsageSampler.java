package io.strata.agent.usage;

import io.strata.agent.commands.Reconciler;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.ArrayUsageSample.DriveAllocation;
import io.strata.contracts.usage.ArrayUsageSample.TierCapacity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Once per interval, one {@link ArrayUsageSample} for every array this node holds: its drives by
 * type and engine size (from the desired state), pool and volume capacity provisioned per tier
 * (desired state), the space written per tier, the space only snapshots hold and the flash cache
 * size (what the engine's stats file says its pools hold now), and the engine's reads and writes
 * since the previous sample (the stats file's counters).
 *
 * <p>Tiers: a pool's provisioned capacity counts on its drive type; a volume's provisioned size on
 * the tier it is pinned to, or its pool's drive type. Written space counts on the tier where the
 * engine keeps it now, so a tiered HDD pool's promoted (or SSD-pinned) extents count as SSD used.
 * An array whose engine does not run (no volume attached yet) has written nothing measured: 0.
 * A volume in the recycle bin is not provisioned: its size counts as snapshot space.
 * A hibernated array is sampled too, its drives and provisioned capacity as always, marked
 * {@code engineStopped} so that billing meters no engine time for it (issue 18).
 * Intervals are cut on whole seconds and follow each other without gaps while the agent runs;
 * after an agent restart the first interval starts at the restart.
 */
public final class UsageSampler {

  private static final Logger LOG = Logger.getLogger(UsageSampler.class);

  private final String nodeId;
  private final Reconciler reconciler;
  private final Consumer<ArrayUsageSample> sink;
  private final Clock clock;
  private final Map<String, Instant> lastEnd = new ConcurrentHashMap<>();
  private final Map<String, EngineCounters> lastCounters = new ConcurrentHashMap<>();

  public UsageSampler(String nodeId, Reconciler reconciler, Consumer<ArrayUsageSample> sink, Clock clock) {
    this.nodeId = nodeId;
    this.reconciler = reconciler;
    this.sink = sink;
    this.clock = clock;
  }

  /** Takes one sample of every array; the first call for an array only starts its interval. */
  public synchronized List<ArrayUsageSample> sampleAll() {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    List<ArrayUsageSample> sent = new ArrayList<>();
    List<ArrayDesiredState> held = reconciler.desiredStates();
    lastEnd.keySet().retainAll(held.stream().map(ArrayDesiredState::arrayId).toList());
    for (ArrayDesiredState array : held) {
      EngineStats stats = EngineStats.read(reconciler.statsFile(array.arrayId())); // once per sample
      EngineCounters counters = stats.counters();
      Instant start = lastEnd.get(array.arrayId());
      EngineCounters earlier = lastCounters.getOrDefault(array.arrayId(), EngineCounters.NONE);
      lastCounters.put(array.arrayId(), counters);
      if (start == null) {
        lastEnd.put(array.arrayId(), now);
        continue;
      }
      if (!now.isAfter(start)) {
        continue;
      }
      try {
        ArrayUsageSample sample = sample(array, start, now, counters.since(earlier), stats.space());
        sink.accept(sample);
        sent.add(sample);
        lastEnd.put(array.arrayId(), now);
      } catch (RuntimeException e) {
        LOG.warnf("usage of array %s not sampled: %s", array.arrayId(), e.getMessage());
      }
    }
    return sent;
  }

  ArrayUsageSample sample(ArrayDesiredState array, Instant start, Instant end, EngineCounters io,
      EngineSpace space) {
    Map<DriveType, long[]> drives = new HashMap<>();
    for (var drive : array.drives()) {
      long[] countAndBytes = drives.computeIfAbsent(drive.type(), t -> new long[2]);
      countAndBytes[0]++;
      countAndBytes[1] += drive.capacityGib() << 30;
    }
    List<DriveAllocation> driveList = new ArrayList<>();
    drives.forEach((type, cb) -> driveList.add(
        new DriveAllocation(ArrayUsageSample.DriveType.valueOf(type.name()), (int) cb[0], cb[1])));

    Map<String, DriveType> tierOfPool = new HashMap<>();
    Map<DriveType, long[]> tiers = new HashMap<>();
    for (var pool : array.pools()) {
      DriveType tier = pool.driveType() == null ? DriveType.HDD : pool.driveType();
      tierOfPool.put(pool.poolId(), tier);
      tiers.computeIfAbsent(tier, t -> new long[3])[0] += pool.capacityGib() << 30;
    }
    long recycledBytes = 0;
    for (var volume : array.volumes()) {
      if (volume.recycled()) {
        // in the recycle bin: kept like a snapshot and metered as one, at its provisioned size (the
        // engine's stats do not break space down per volume), not as a provisioned volume
        recycledBytes += volume.sizeGib() << 30;
        continue;
      }
      DriveType tier = volume.tierPin() != null ? volume.tierPin()
          : tierOfPool.getOrDefault(volume.poolId(), DriveType.HDD);
      tiers.computeIfAbsent(tier, k -> new long[3])[2] += volume.sizeGib() << 30;
    }
    for (DriveType tier : DriveType.values()) {
      long used = space.usedBytes(tier == DriveType.SSD);
      if (used > 0) {
        tiers.computeIfAbsent(tier, k -> new long[3])[1] += used;
      }
    }
    List<TierCapacity> tierList = new ArrayList<>();
    tiers.forEach((tier, t) -> tierList.add(
        new TierCapacity(ArrayUsageSample.DriveType.valueOf(tier.name()), t[0], t[1], t[2])));

    return new ArrayUsageSample(array.arrayId(), array.tenant(), nodeId, start, end, driveList,
        array.engine().size(), tierList, space.cacheBytes(), space.snapshotBytes() + recycledBytes, io.readOps(),
        io.writeOps(), io.readBytes(), io.writeBytes(), array.hibernated());
  }
}
