package io.strata.engine.stats;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Writes the engine's I/O counters, what its pools hold and what its layers count to a small JSON
 * file every second (and once more when the engine stops), replacing it atomically so a reader
 * never sees half a file:
 *
 * <pre>{"pid":123,"startedAt":"...","writtenAt":"...","readOps":0,"writeOps":0,"readBytes":0,"writeBytes":0,
 *  "pools":[{"pool":"p1","media":"HDD","tiered":true,"capacityBytes":...,"volumeBytes":...,
 *            "ssdUsedBytes":...,"hddUsedBytes":...,"snapshotBytes":...,"cacheBytes":...,"ssdTierBytes":...}],
 *  "sessions":2,"latencyBoundsMicros":[25,50,...],
 *  "volumes":[{"volume":"v1","lun":0,"readOps":..,"writeOps":..,"readBytes":..,"writeBytes":..,"queueDepth":0,
 *              "readLatency":{"counts":[..cumulative, last = all..],"sumMicros":..},"writeLatency":{..}}],
 *  "caches":[{"pool":"p1","readHits":..,"readMisses":..,"dirtyBytes":..,"cachedBytes":..,"capacityBytes":..}],
 *  "tiers":[{"pool":"p1","promotedBytes":..,"demotedBytes":..}],
 *  "drives":[{"drive":"d1","pool":"p1","state":"ONLINE","errors":0}],
 *  "rebuilds":[{"pool":"p1","rebuildingMembers":1,"rowsDone":3,"rowsTotal":12,"kind":"COPY","member":0,
 *               "drive":"d3","bytesDone":3145728,"bytesTotal":12582912,"failedAttempts":0,"error":null}],
 *  "scrubs":[{"pool":"p1","request":"...","state":"DONE","rowsDone":12,"rows":12,"mismatchedBlocks":1,
 *             "repairedBlocks":1,"unrepairableBlocks":0,"skippedRows":0,"rateBytesPerSecond":0,
 *             "started":"...","finished":"...","error":null}]}</pre>
 *
 * The counters count since {@code startedAt} (the engine's start); a reader that sees another
 * {@code startedAt} or {@code pid} knows the engine restarted and its counters began at zero again.
 * The pools ({@link PoolUsage}) and the layers' figures ({@link StackFigures}) are the state when
 * the file was written. Fields after {@code pools} were added later: a reader ignores what it
 * does not know and takes a missing one as empty.
 */
public final class StatsFile implements java.io.Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;
  private final IoCounters counters;
  private final Supplier<List<PoolUsage>> pools;
  private final Supplier<StackFigures> stack;
  private final Supplier<Map<Integer, String>> volumeOfLun;
  private volatile IntSupplier sessions = () -> 0;
  private final Instant startedAt = Instant.now();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "strata-engine-stats");
        t.setDaemon(true);
        return t;
      });

  public StatsFile(Path file, IoCounters counters) {
    this(file, counters, List::of);
  }

  /** With {@code pools} read at every write (an engine with a layout: its stack's usage). */
  public StatsFile(Path file, IoCounters counters, Supplier<List<PoolUsage>> pools) {
    this(file, counters, pools, () -> StackFigures.NONE, Map::of);
  }

  /**
   * With the layers' figures and the volume each LUN shows (an engine with a layout), both read
   * at every write.
   */
  public StatsFile(Path file, IoCounters counters, Supplier<List<PoolUsage>> pools,
      Supplier<StackFigures> stack, Supplier<Map<Integer, String>> volumeOfLun) {
    this.file = file;
    this.counters = counters;
    this.pools = pools;
    this.stack = stack;
    this.volumeOfLun = volumeOfLun;
  }

  /** Where the number of iSCSI sessions comes from (the service starts after this file). */
  public void countSessions(IntSupplier sessions) {
    this.sessions = sessions;
  }

  public void start() {
    timer.scheduleWithFixedDelay(this::writeQuietly, 0, 1, TimeUnit.SECONDS);
  }

  synchronized void write() throws IOException {
    IoCounters.Snapshot s = counters.snapshot();
    Map<Integer, String> names = volumeOfLun.get();
    List<VolumeFigures> volumes = new ArrayList<>();
    counters.readLuns().forEach((lun, r) -> volumes.add(new VolumeFigures(names.get(lun), lun,
        r.readOps(), r.writeOps(), r.readBytes(), r.writeBytes(), r.queueDepth(), r.readLatency(),
        r.writeLatency())));
    StackFigures layers = stack.get();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("pid", ProcessHandle.current().pid());
    doc.put("startedAt", startedAt.toString());
    doc.put("writtenAt", Instant.now().toString());
    doc.put("readOps", s.readOps());
    doc.put("writeOps", s.writeOps());
    doc.put("readBytes", s.readBytes());
    doc.put("writeBytes", s.writeBytes());
    doc.put("pools", pools.get());
    doc.put("sessions", sessions.getAsInt());
    doc.put("latencyBoundsMicros", LatencyHistogram.BOUNDS_MICROS);
    doc.put("volumes", volumes);
    doc.put("caches", layers.caches());
    doc.put("tiers", layers.tiers());
    doc.put("drives", layers.drives());
    doc.put("rebuilds", layers.rebuilds());
    doc.put("scrubs", layers.scrubs());
    String json = JSON.writeValueAsString(doc) + "\n";
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temp, json, StandardCharsets.UTF_8);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void writeQuietly() {
    try {
      write();
    } catch (IOException | RuntimeException e) {
      System.err.println("strata-engine: cannot write stats to " + file + ": " + e.getMessage());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    writeQuietly();
  }
}
