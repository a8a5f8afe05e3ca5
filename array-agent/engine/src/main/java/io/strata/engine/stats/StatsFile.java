package io.strata.engine.stats;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Writes the engine's I/O counters and what its pools hold to a small JSON file every second
 * (and once more when the engine stops), replacing it atomically so a reader never sees half a
 * file:
 *
 * <pre>{"pid":123,"startedAt":"...","writtenAt":"...","readOps":0,"writeOps":0,"readBytes":0,"writeBytes":0,
 *  "pools":[{"pool":"p1","media":"HDD","tiered":true,"capacityBytes":...,"volumeBytes":...,
 *            "ssdUsedBytes":...,"hddUsedBytes":...,"snapshotBytes":...,"cacheBytes":...,"ssdTierBytes":...}]}</pre>
 *
 * The counters count since {@code startedAt} (the engine's start); a reader that sees another
 * {@code startedAt} or {@code pid} knows the engine restarted and its counters began at zero again.
 * The pools ({@link PoolUsage}) are the state when the file was written.
 */
public final class StatsFile implements java.io.Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;
  private final IoCounters counters;
  private final Supplier<List<PoolUsage>> pools;
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
    this.file = file;
    this.counters = counters;
    this.pools = pools;
  }

  public void start() {
    timer.scheduleWithFixedDelay(this::writeQuietly, 0, 1, TimeUnit.SECONDS);
  }

  void write() throws IOException {
    IoCounters.Snapshot s = counters.snapshot();
    String json = "{\"pid\":" + ProcessHandle.current().pid()
        + ",\"startedAt\":\"" + startedAt + "\",\"writtenAt\":\"" + Instant.now()
        + "\",\"readOps\":" + s.readOps() + ",\"writeOps\":" + s.writeOps()
        + ",\"readBytes\":" + s.readBytes() + ",\"writeBytes\":" + s.writeBytes()
        + ",\"pools\":" + JSON.writeValueAsString(pools.get()) + "}\n";
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
