package io.strata.engine.bench;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.cache.CacheConfig;
import io.strata.engine.cache.CacheCounters;
import io.strata.engine.cache.FlashCache;
import io.strata.engine.drive.FileBlockDevice;
import io.strata.engine.drive.HddThrottle;
import io.strata.engine.tier.TierConfig;
import io.strata.engine.tier.TierCounters;
import io.strata.engine.tier.TieredDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Replays a skewed workload against an HDD-like device bare, behind the flash cache, and tiered
 * (run by array-agent/bench/cache-and-tiering.sh; a benchmark, not a test). Prints Markdown.
 *
 * <p>Workload: {@code threads} clients each issue one {@code ioBytes} request at a time; 90%
 * reads; the block is drawn from a Zipf distribution (theta 1.2) over every block of the volume
 * (the working set is the whole volume), ranks scattered over the volume by a fixed odd
 * multiplier so hot blocks are not neighbours.
 */
public final class CacheTieringBench {
  private final Map<String, String> args;
  private final long volumeBytes;
  private final double ssdFraction;
  private final int threads;
  private final double theta;
  private final double readFraction;
  private final int ioBytes;
  private final double seekMs;
  private final double seqMBps;
  private final int bareSeconds;
  private final int warmSeconds;
  private final int measureSeconds;
  private final int tierSeconds;
  private final int lineSize;
  private final Path dir;
  private final StringBuilder md = new StringBuilder();
  private double[] zipfCdf;

  private CacheTieringBench(Map<String, String> args) {
    this.args = args;
    this.volumeBytes = Long.parseLong(arg("volume-mib", "512")) << 20;
    this.ssdFraction = Double.parseDouble(arg("ssd-fraction", "0.2"));
    this.threads = Integer.parseInt(arg("threads", "16"));
    this.theta = Double.parseDouble(arg("theta", "1.2"));
    this.readFraction = Double.parseDouble(arg("read-fraction", "0.9"));
    this.ioBytes = Integer.parseInt(arg("io-bytes", "4096"));
    this.seekMs = Double.parseDouble(arg("seek-ms", "6"));
    this.seqMBps = Double.parseDouble(arg("seq-mbps", "150"));
    this.bareSeconds = Integer.parseInt(arg("bare-seconds", "20"));
    this.warmSeconds = Integer.parseInt(arg("warm-seconds", "60"));
    this.measureSeconds = Integer.parseInt(arg("measure-seconds", "20"));
    this.tierSeconds = Integer.parseInt(arg("tier-seconds", "90"));
    this.lineSize = Integer.parseInt(arg("line-kib", "64")) * 1024;
    this.dir = Path.of(arg("dir", "/var/tmp/strata-bench-cache"));
  }

  private String arg(String key, String fallback) {
    return args.getOrDefault(key, fallback);
  }

  public static void main(String[] argv) throws Exception {
    new CacheTieringBench(arguments(argv)).run();
  }

  /** A bench's {@code --key=value} arguments, by key. */
  static Map<String, String> arguments(String[] argv) {
    Map<String, String> args = new HashMap<>();
    for (String a : argv) {
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("arguments are --key=value, not " + a);
      }
      args.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
    return args;
  }

  private void run() throws Exception {
    Files.createDirectories(dir);
    buildZipf();
    long blocks = volumeBytes / ioBytes;
    line("Parameters: volume (= working set) %d MiB in %d-byte blocks (%d blocks), Zipf theta %.2f,"
        + " %.0f%% reads, %d clients with one request each in flight, SSD = %.0f%% of the working"
        + " set. HDD model: %.1f ms positioning per random I/O, %.0f MB/s sequential, one"
        + " actuator. SSD model: 80 us per I/O, 500 MB/s, requests overlap.",
        volumeBytes >> 20, ioBytes, blocks, theta, readFraction * 100, threads,
        ssdFraction * 100, seekMs, seqMBps);
    line("");
    line("Hottest 1%% of blocks get %.1f%% of accesses; hottest 20%% get %.1f%%.",
        100 * zipfCdf[(int) (blocks / 100)], 100 * zipfCdf[(int) (blocks / 5)]);
    line("");

    double bare = runBare();
    double cache = runCache(bare);
    if (tierSeconds > 0) {
      runTier(bare);
    }
    System.out.print(md);
    if (cache <= 0) {
      System.exit(1);
    }
  }

  // ---------------------------------------------------------------- phases

  private double runBare() throws IOException {
    try (BlockDevice hdd = hdd("bare")) {
      List<Sample> samples = drive(hdd, bareSeconds, () -> 0L, () -> 0L);
      double iops = iops(samples, 0, samples.size());
      line("## Bare HDD");
      line("");
      line("%d s: **%.0f IOPS**.", bareSeconds, iops);
      line("");
      return iops;
    }
  }

  private double runCache(double bare) throws IOException {
    long lines = (long) (volumeBytes * ssdFraction / lineSize);
    long ssdBytes = 3 * 4096 + lines * (lineSize + 64);
    Files.deleteIfExists(dir.resolve("cache-ssd"));
    FlashCache cache = FlashCache.open(ssd("cache-ssd", ssdBytes), hdd("cache-hdd"),
        CacheConfig.defaults().withLineSize(lineSize));
    try {
      line("## Flash cache (write-back, %d-byte lines, %d lines = %.0f MiB)", lineSize,
          cache.lineCount(), cache.lineCount() * (double) lineSize / (1 << 20));
      line("");
      List<Sample> warm = drive(cache, warmSeconds, () -> cache.counters().readHits(),
          () -> cache.counters().readMisses());
      List<Sample> before = drive(cache, measureSeconds, () -> cache.counters().readHits(),
          () -> cache.counters().readMisses());
      double iopsBefore = iops(before, 0, before.size());
      double hitBefore = hitRatio(before, 0, before.size());
      line("| seconds since start | IOPS | read hit ratio |");
      line("|---|---|---|");
      List<Sample> all = new ArrayList<>(warm);
      all.addAll(before);
      for (int s = 0; s + 5 <= all.size(); s += 5) {
        line("| %d-%d | %.0f | %.1f%% |", s, s + 5, iops(all, s, s + 5),
            100 * hitRatio(all, s, s + 5));
      }
      line("");
      int warmUp = -1;
      for (int s = 0; s + 5 <= all.size(); s++) {
        if (iops(all, s, s + 5) >= 0.9 * iopsBefore) {
          warmUp = s + 5;
          break;
        }
      }
      line("Steady state (the last %d s): **%.0f IOPS = %.1fx the bare HDD**, read hit ratio"
          + " **%.1f%%**. Warm-up: the 5-second IOPS first reached 90%% of the steady state"
          + " after **%s**.", measureSeconds, iopsBefore, iopsBefore / bare, 100 * hitBefore,
          warmUp < 0 ? "more than the run" : warmUp + " s");
      line("");

      long t0 = System.nanoTime();
      sequentialCopy(cache);
      double copySeconds = (System.nanoTime() - t0) / 1e9;
      CacheCounters afterCopy = cache.counters();
      List<Sample> after = drive(cache, measureSeconds, () -> cache.counters().readHits(),
          () -> cache.counters().readMisses());
      double hitAfter = hitRatio(after, 0, after.size());
      line("Sequential copy of the whole volume (1 MiB reads, %.1f s, %d line reads bypassed"
          + " by the sequential cutoff), then %d s of the same workload: read hit ratio"
          + " **%.1f%%** (before: %.1f%%, change **%+.1f points**), %.0f IOPS.",
          copySeconds, afterCopy.readBypassed(), measureSeconds, 100 * hitAfter, 100 * hitBefore,
          100 * (hitAfter - hitBefore), iops(after, 0, after.size()));
      line("");
      CacheCounters c = cache.counters();
      line("Cache counters at the end: %d promotions, %d evictions, %d lines destaged, %d dirty"
          + " now.", c.promotions(), c.evictions(), c.destaged(), c.dirtyLines());
      line("");
      return iopsBefore;
    } finally {
      cache.close();
    }
  }

  private void runTier(double bare) throws IOException {
    int extent = 1 << 20;
    long slots = (long) (volumeBytes * ssdFraction / extent);
    long ssdBytes = (slots + 1) * extent;
    Files.deleteIfExists(dir.resolve("tier-ssd"));
    TierConfig config = TierConfig.defaults().withHeatHalfLife(Duration.ofSeconds(60))
        .withMoveRate(32L << 20);
    TieredDevice tier = TieredDevice.open(ssd("tier-ssd", ssdBytes), hdd("tier-hdd"), config);
    try {
      TierCounters start = tier.counters();
      line("## Tiering (1 MiB extents, %d SSD slots, %d kept free, mover 32 MiB/s, heat"
          + " half-life 60 s)", start.slots(), start.reserveSlots());
      line("");
      List<Sample> samples = drive(tier, tierSeconds, () -> tier.counters().ssdIos(),
          () -> tier.counters().hddIos());
      line("| seconds since start | IOPS | share of I/O served by SSD |");
      line("|---|---|---|");
      for (int s = 0; s + 10 <= samples.size(); s += 10) {
        line("| %d-%d | %.0f | %.1f%% |", s, s + 10, iops(samples, s, s + 10),
            100 * hitRatio(samples, s, s + 10));
      }
      line("");
      int from = Math.max(0, samples.size() - measureSeconds);
      double iops = iops(samples, from, samples.size());
      TierCounters c = tier.counters();
      line("Last %d s: **%.0f IOPS = %.1fx the bare HDD**, %.1f%% of I/O on SSD; %d promotions,"
          + " %d demotions.", measureSeconds, iops, iops / bare,
          100 * hitRatio(samples, from, samples.size()), c.promotions(), c.demotions());
      line("");
    } finally {
      tier.close();
    }
  }

  // ---------------------------------------------------------------- workload

  private record Sample(long ops, long hits, long misses) {}

  /** Runs the workload for {@code seconds}; one sample per second. */
  private List<Sample> drive(BlockDevice dev, int seconds, Supplier<Long> hits,
      Supplier<Long> misses) {
    LongAdder ops = new LongAdder();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      SplittableRandom random = new SplittableRandom(1234 + t * 7919L + System.nanoTime());
      Thread client = new Thread(() -> {
        ByteBuffer buf = ByteBuffer.allocate(ioBytes);
        int perIo = ioBytes / dev.blockSize();
        try {
          while (System.nanoTime() < end) {
            long lba = nextBlock(random) * perIo;
            buf.clear();
            if (random.nextDouble() < readFraction) {
              dev.read(lba, buf);
            } else {
              dev.write(lba, buf, false);
            }
            ops.increment();
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }, "bench-client-" + t);
      client.start();
      clients.add(client);
    }
    List<Sample> samples = new ArrayList<>();
    long lastOps = 0;
    long lastHits = hits.get();
    long lastMisses = misses.get();
    long next = System.nanoTime();
    for (int s = 0; s < seconds; s++) {
      next += 1_000_000_000L;
      sleepUntil(next);
      long o = ops.sum();
      long h = hits.get();
      long m = misses.get();
      samples.add(new Sample(o - lastOps, h - lastHits, m - lastMisses));
      lastOps = o;
      lastHits = h;
      lastMisses = m;
    }
    for (Thread t : clients) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return samples;
  }

  private void sequentialCopy(BlockDevice dev) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    long step = (1 << 20) / dev.blockSize();
    for (long lba = 0; lba < dev.blockCount(); lba += step) {
      buf.clear();
      dev.read(lba, buf);
    }
  }

  private void buildZipf() {
    int n = (int) (volumeBytes / ioBytes);
    zipfCdf = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1 / Math.pow(i + 1, theta);
      zipfCdf[i] = sum;
    }
    for (int i = 0; i < n; i++) {
      zipfCdf[i] /= sum;
    }
  }

  /** A Zipf rank, scattered: rank r is block (r * odd) mod n for n a power of two. */
  private long nextBlock(SplittableRandom random) {
    double u = random.nextDouble();
    int lo = 0;
    int hi = zipfCdf.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (zipfCdf[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    long n = zipfCdf.length;
    return (lo * 0x9E3779B1L) & (n - 1);
  }

  // ---------------------------------------------------------------- devices and figures

  /** A page-cache file timed as a disk by the drive layer's model (one head, seeks, rate). */
  private BlockDevice hdd(String name) throws IOException {
    HddThrottle disk = new HddThrottle(Math.round(seekMs * 1000), Math.round(seqMBps * 1e6));
    return disk.wrap(FileBlockDevice.open(dir.resolve(name), volumeBytes, 512));
  }

  /** A page-cache file timed as an SSD: 80 us per I/O, 500 MB/s, I/Os overlap. */
  private BlockDevice ssd(String name, long bytes) throws IOException {
    return HddThrottle.flash(80, 500_000_000L)
        .wrap(FileBlockDevice.open(dir.resolve(name), bytes, 512));
  }

  private static double iops(List<Sample> samples, int from, int to) {
    long ops = 0;
    for (int i = from; i < to; i++) {
      ops += samples.get(i).ops();
    }
    return to == from ? 0 : (double) ops / (to - from);
  }

  private static double hitRatio(List<Sample> samples, int from, int to) {
    long hits = 0;
    long all = 0;
    for (int i = from; i < to; i++) {
      hits += samples.get(i).hits();
      all += samples.get(i).hits() + samples.get(i).misses();
    }
    return all == 0 ? 0 : (double) hits / all;
  }

  private static void sleepUntil(long deadline) {
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(left);
    }
  }

  private void line(String format, Object... values) {
    md.append(String.format(Locale.ROOT, format, values)).append('\n');
  }
}
