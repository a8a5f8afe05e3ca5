package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiHarness.data;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * COMPARE AND WRITE as VMware ATS uses it: many initiators increment a counter in one block by
 * reading it and swapping old for new. If the compare and the write were not atomic, two could
 * both succeed from the same old value and an increment would be lost.
 */
class CompareAndWriteConcurrencyTest {
  @TempDir Path dir;

  private static byte[] counterBlock(long value) {
    byte[] b = new byte[512];
    ByteBuffer.wrap(b).putLong(value);
    return b;
  }

  @Test
  void concurrentSwapsNeverLoseAnIncrement() throws Exception {
    try (ScsiHarness h = new ScsiHarness(dir, 64, 0)) {
      int threads = 8;
      int incrementsEach = 150;
      List<Nexus> nexuses = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Nexus n = new Nexus("iqn.test:host" + t, t, "iqn.t:x", 1);
        nexuses.add(n);
        h.clearUnitAttentions(n);
      }
      String caw = "89 00 00 00 00 00 00 00 00 03 00 00 00 01 00 00";
      String read = "28 00 00 00 00 03 00 00 01 00";
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<Integer>> results = new ArrayList<>();
      for (Nexus n : nexuses) {
        results.add(pool.submit(() -> {
          int done = 0;
          int miscompares = 0;
          while (done < incrementsEach) {
            long seen = ByteBuffer.wrap(data(h.run(n, 0, read, new byte[0]))).getLong();
            byte[] swap = new byte[1024];
            System.arraycopy(counterBlock(seen), 0, swap, 0, 512);
            System.arraycopy(counterBlock(seen + 1), 0, swap, 512, 512);
            ScsiResponse r = h.run(n, 0, caw, swap);
            if (r.status() == ScsiSpec.GOOD) {
              done++;
            } else {
              assertThat(ScsiHarness.sense(r).senseKey()).isEqualTo(ScsiSpec.MISCOMPARE);
              miscompares++;
            }
          }
          return miscompares;
        }));
      }
      for (Future<Integer> f : results) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      long counter =
          ByteBuffer.wrap(data(h.run(nexuses.get(0), 0, read, new byte[0]))).getLong();
      assertThat(counter).isEqualTo((long) threads * incrementsEach);
    }
  }
}
