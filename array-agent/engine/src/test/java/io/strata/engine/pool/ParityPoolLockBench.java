package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the restripe's window lock cost every host I/O of a parity pool (a benchmark, not a test):
 * a RAID-5 pool of four drives in memory, two threads of random 4 KiB reads, then of writes, with
 * the gate that lets I/O skip the lock while no restripe runs ({@link InFlightGate}), and with
 * every I/O taking the lock as before it ({@link ParityPool#lockEveryIo}). The figure is the CPU
 * time of the I/O threads per I/O ({@code ThreadMXBean}), not the wall time, so that the other
 * processes of a loaded machine change it less; the two variants alternate within each round
 * (their order swapped every round) and each round prints its ratios.
 * Run: array-agent/bench/parity-pool-micro.sh [rounds] [I/Os per thread] (docs/benchmarks/parity-pool.md).
 */
public final class ParityPoolLockBench {
  private ParityPoolLockBench() {}

  static final int THREADS = 2;
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  /** CPU nanoseconds per I/O of {@code threads} threads doing {@code ops} random 4 KiB I/Os each. */
  static double cpuPerIo(ParityPool pool, boolean write, int ops) throws Exception {
    long slots = pool.blockCount() / 8;
    CountDownLatch start = new CountDownLatch(1);
    AtomicLong cpu = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    Exception[] failed = new Exception[1];
    for (int t = 0; t < THREADS; t++) {
      SplittableRandom random = new SplittableRandom(t + 1);
      Thread th = new Thread(() -> {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        try {
          start.await();
          long c0 = CPU.getCurrentThreadCpuTime();
          for (int i = 0; i < ops; i++) {
            long lba = random.nextLong(slots) * 8;
            if (write) {
              pool.write(lba, buf.clear(), false);
            } else {
              pool.read(lba, buf.clear());
            }
          }
          cpu.addAndGet(CPU.getCurrentThreadCpuTime() - c0);
        } catch (Exception e) {
          failed[0] = e;
        }
      });
      threads.add(th);
      th.start();
    }
    start.countDown();
    for (Thread th : threads) {
      th.join();
    }
    if (failed[0] != null) {
      throw failed[0];
    }
    return cpu.get() / (double) (ops * THREADS);
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int ops = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    List<BlockDevice> drives = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      drives.add(new RamDevice(64L << 20));
    }
    ParityPool pool = ParityPool.openParity("bench", Protection.PARITY, drives, true);
    for (boolean locked : new boolean[] {false, true, false, true}) { // warm-up, JIT
      pool.lockEveryIo(locked);
      cpuPerIo(pool, false, ops / 2);
      cpuPerIo(pool, true, ops / 4);
    }
    double[] readRatios = new double[rounds];
    double[] writeRatios = new double[rounds];
    System.out.printf("round  read ns/IO gate  locked  gate/locked  |  write ns/IO gate  locked"
        + "  gate/locked   (1-min load average)%n");
    for (int r = 0; r < rounds; r++) {
      double[] read = new double[2];
      double[] write = new double[2];
      boolean[] order = r % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false};
      for (boolean locked : order) {
        pool.lockEveryIo(locked);
        read[locked ? 1 : 0] = cpuPerIo(pool, false, ops);
        write[locked ? 1 : 0] = cpuPerIo(pool, true, ops / 4);
      }
      readRatios[r] = read[0] / read[1];
      writeRatios[r] = write[0] / write[1];
      System.out.printf("%5d  %16.0f  %6.0f  %11.3f  |  %17.0f  %6.0f  %11.3f   load %.1f%n",
          r + 1, read[0], read[1], readRatios[r], write[0], write[1], writeRatios[r],
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
    System.out.printf("median gate/locked: read %.3f (min %.3f, max %.3f), write %.3f (min %.3f,"
        + " max %.3f)%n", median(readRatios), min(readRatios), max(readRatios),
        median(writeRatios), min(writeRatios), max(writeRatios));
    pool.close();
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(Double.NaN);
  }

  private static double max(double[] v) {
    return Arrays.stream(v).max().orElse(Double.NaN);
  }
}
