package io.strata.engine.bench;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.cache.CacheConfig;
import io.strata.engine.cache.FlashCache;
import io.strata.engine.drive.FileBlockDevice;
import io.strata.engine.drive.HddThrottle;
import io.strata.engine.iscsi.initiator.LocalTarget;
import io.strata.engine.iscsi.initiator.RemoteDrive;
import io.strata.engine.pool.MirrorPool;
import io.strata.engine.pool.Pool;
import io.strata.engine.pool.Protection;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * What mirroring the write-back cache costs (not a test): the write IOPS of a write-back flash
 * cache on one local SSD against the same cache on a RAID-1 of a local SSD and a remote one (the
 * engine's own initiator logged in to the engine's own target in this JVM over loopback TCP, as
 * an HA array's active engine reaches the standby node's SSD), and on a degraded mirror (the
 * write-through fallback). Random 4 KiB writes over a working set that the cache holds whole,
 * lines made dirty once first, so every measured write is a cache hit; background destaging off,
 * so the figures are the cache's own. The local SSDs are page-cache files timed as SSDs (80 us
 * per I/O, 500 MB/s), the backing device one timed as a disk (6 ms positioning, 150 MB/s); the
 * remote SSD is an untimed file behind the target, so its cost is the iSCSI round trip.
 *
 * <pre>
 * java -cp ... io.strata.engine.bench.CacheMirrorBench --dir=/var/tmp/x [--seconds=10]
 *     [--threads=8] [--working-set-mib=32]
 * </pre>
 */
public final class CacheMirrorBench {
  private static final int BS = 512;
  private static final int IO = 4096;

  private CacheMirrorBench() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = CacheTieringBench.arguments(argv);
    Path dir = Path.of(args.getOrDefault("dir", System.getProperty("java.io.tmpdir")))
        .resolve("cache-mirror-bench");
    Files.createDirectories(dir);
    int seconds = Integer.parseInt(args.getOrDefault("seconds", "10"));
    int threads = Integer.parseInt(args.getOrDefault("threads", "8"));
    long workingSet = Long.parseLong(args.getOrDefault("working-set-mib", "32")) << 20;
    long ssdBytes = 2 * workingSet + (2L << 20); // room for every line, records and the label
    long backingBytes = 4 * workingSet;

    System.out.printf("| cache SSD | write IOPS (4 KiB random, %d threads, %d s) |%n", threads,
        seconds);
    System.out.println("| --- | ---: |");
    for (String kind : List.of("single", "mirror-local", "mirror-remote", "degraded-remote")) {
      clean(dir);
      List<AutoCloseable> toClose = new ArrayList<>();
      LocalTarget target = null;
      try {
        BlockDevice local = ssd(dir.resolve("s1"), ssdBytes);
        BlockDevice ssd = local;
        BooleanSupplier inSync = () -> true;
        if (!kind.equals("single")) {
          BlockDevice second;
          if (kind.equals("mirror-local")) {
            second = ssd(dir.resolve("s2"), ssdBytes);
          } else {
            target = new LocalTarget(dir.resolve("s2"), ssdBytes, 60);
            second = RemoteDrive.open("s2", target.config(LocalTarget.CHAP), ssdBytes);
          }
          Pool mirror = Pool.open("p0/cache", Protection.MIRROR,
              new ArrayList<>(List.of(local, second)));
          if (second instanceof RemoteDrive) {
            ((MirrorPool) mirror).preferReadsFrom(0); // as PoolServices opens it
          }
          ssd = mirror;
          inSync = () -> !mirror.degraded();
        }
        FlashCache cache = FlashCache.open(ssd, hdd(dir.resolve("hdd"), backingBytes),
            CacheConfig.defaults().withBackgroundDestage(false));
        toClose.add(cache);
        cache.writeBackOnlyWhile(inSync);
        warm(cache, workingSet);
        if (kind.equals("degraded-remote")) {
          target.stop(); // the remote SSD's node is lost: the next write drops it
          target = null;
          cache.write(0, ByteBuffer.allocate(IO), false);
          cache.destageAll();
        }
        long iops = measure(cache, workingSet, threads, seconds);
        System.out.printf("| %s (%s) | %d |%n", kind, cache.writingBack() ? "write-back"
            : "write-through", iops);
      } finally {
        for (AutoCloseable c : toClose) {
          try {
            c.close();
          } catch (Exception e) {
            // a pulled SSD
          }
        }
        if (target != null) {
          target.close();
        }
      }
    }
    clean(dir);
  }

  /** A page-cache file timed as an SSD (CacheTieringBench's model): 80 us per I/O, 500 MB/s. */
  private static BlockDevice ssd(Path file, long bytes) throws java.io.IOException {
    return HddThrottle.flash(80, 500_000_000L).wrap(FileBlockDevice.open(file, bytes, BS));
  }

  /** A page-cache file timed as a disk: one head, 6 ms positioning, 150 MB/s. */
  private static BlockDevice hdd(Path file, long bytes) throws java.io.IOException {
    return new HddThrottle(6000, 150_000_000L).wrap(FileBlockDevice.open(file, bytes, BS));
  }

  /** Every line of the working set written whole once: dirty, so later writes are hits. */
  private static void warm(FlashCache cache, long workingSet) throws Exception {
    ByteBuffer line = ByteBuffer.allocate(CacheConfig.DEFAULT_LINE_SIZE);
    for (long off = 0; off < workingSet; off += line.capacity()) {
      cache.write(off / BS, line.clear(), false);
    }
  }

  private static long measure(FlashCache cache, long workingSet, int threads, int seconds)
      throws Exception {
    LongAdder done = new LongAdder();
    long until = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> workers = new ArrayList<>();
    List<Exception> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        ByteBuffer buf = ByteBuffer.allocate(IO);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
          while (System.nanoTime() < until) {
            long lba = random.nextLong(workingSet / IO) * (IO / BS);
            cache.write(lba, buf.clear(), false);
            done.increment();
          }
        } catch (Exception e) {
          failed.add(e);
        }
      });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    if (!failed.isEmpty()) {
      throw failed.get(0);
    }
    return done.sum() / seconds;
  }

  private static void clean(Path dir) throws Exception {
    for (String f : List.of("s1", "s2", "hdd")) {
      Files.deleteIfExists(dir.resolve(f));
    }
  }
}
