package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.drive.Drive;
import io.strata.engine.drive.MediaType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What the write-intent bitmap costs (a benchmark, not a test): a RAID-5 pool of four file
 * drives, random 4 KiB writes with the bitmap and without; the first write to a clean region
 * (it waits for the bitmap block on every drive); and the resync at a start after a crash with
 * every region dirty. Run: {@code java -cp <engine classes, test classes, dependencies>
 * io.strata.engine.pool.WriteIntentCostBench DIR [driveMiB]}.
 */
public final class WriteIntentCostBench {
  private WriteIntentCostBench() {}

  static List<BlockDevice> drives(Path dir, long bytes) throws IOException {
    List<BlockDevice> list = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      list.add(Drive.open("d" + i, dir.resolve("d" + i + ".img"), MediaType.SSD, bytes, null));
    }
    return list;
  }

  static double writesPerSecond(Pool pool, long seconds) throws IOException {
    SplittableRandom random = new SplittableRandom(1);
    ByteBuffer data = ByteBuffer.allocate(4096);
    long slots = pool.blockCount() / 8;
    long until = System.nanoTime() + seconds * 1_000_000_000L;
    long ops = 0;
    long start = System.nanoTime();
    while (System.nanoTime() < until) {
      pool.write(random.nextLong(slots) * 8, data.clear(), false);
      ops++;
    }
    return ops / ((System.nanoTime() - start) / 1e9);
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long bytes = (args.length > 1 ? Long.parseLong(args[1]) : 256) << 20;
    Files.createDirectories(dir);
    for (boolean intent : new boolean[] {true, false, true, false}) { // alternating: load varies
      Path d = Files.createTempDirectory(dir, intent ? "with" : "without");
      ParityPool pool = ParityPool.openParity("bench", Protection.PARITY, drives(d, bytes),
          intent);
      writesPerSecond(pool, 2); // warm-up (and, with the bitmap, every region dirty)
      System.out.printf("random 4 KiB writes, %s bitmap: %.0f/s%n", intent ? "with" : "without",
          writesPerSecond(pool, 5));
      pool.close();
    }
    Path d = Files.createTempDirectory(dir, "regions");
    ParityPool pool = ParityPool.openParity("bench", Protection.PARITY, drives(d, bytes), true);
    long rowsPerBit = WriteIntentBitmap.MIN_ROWS_PER_BIT;
    long regions = pool.memberDataBlocks() / Pool.ROW_BLOCKS / rowsPerBit;
    long perStripeRow = (long) ParityPool.UNIT_BLOCKS * 3 * (Pool.ROW_BLOCKS
        / ParityPool.UNIT_BLOCKS);
    ByteBuffer data = ByteBuffer.allocate(4096);
    long first = 0;
    long second = 0;
    for (long r = 0; r < regions; r++) {
      long lba = r * rowsPerBit * perStripeRow;
      long t0 = System.nanoTime();
      pool.write(lba, data.clear(), false);
      long t1 = System.nanoTime();
      pool.write(lba + 8, data.clear(), false);
      first += t1 - t0;
      second += System.nanoTime() - t1;
    }
    System.out.printf("first write to a clean region: %.2f ms; the next write there: %.2f ms"
        + " (mean of %d regions)%n", first / 1e6 / regions, second / 1e6 / regions, regions);
    // "Crash": drop the pool without closing it (its bits stay set), open it again.
    long t0 = System.nanoTime();
    ParityPool again = ParityPool.openParity("bench", Protection.PARITY, drives(d, bytes), true);
    System.out.printf("start after a crash with all %d regions dirty (%d MiB per drive): %.0f ms"
        + "%n", regions, pool.memberDataBlocks() / Pool.ROW_BLOCKS,
        (System.nanoTime() - t0) / 1e6);
    again.close();
  }
}
