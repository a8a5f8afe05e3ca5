package io.strata.engine.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.scsi.Nexus;
import io.strata.engine.scsi.ScsiCommand;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/**
 * Several sessions' threads doing I/O on one LUN at once: every read and write is in the LUN's
 * figures and in the engine's totals exactly once, latencies included, and nothing is left in flight.
 */
class IoCountersConcurrencyTest {
  static final Nexus NEXUS = new Nexus("iqn.2026-12.io.strata:i", 1, "iqn.2026-12.io.strata:t", 1);
  static final byte[] READ_10 = {0x28, 0, 0, 0, 0, 8, 0, 0, 8, 0};
  static final byte[] WRITE_10 = {0x2a, 0, 0, 0, 0, 8, 0, 0, 8, 0};

  @Test
  void fourThreadsOnOneLunAreAllCountedOnceInTheLunAndTheTotals() throws Exception {
    IoCounters counters = new IoCounters(new IoCountersBench.NothingTarget());
    int threads = 4;
    int perThread = 5_000;
    long lun2 = 2L << 48;
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        for (int i = 0; i < perThread; i++) {
          counters.execute(new ScsiCommand(NEXUS, lun2, READ_10, null, 4096, i));
          counters.execute(new ScsiCommand(NEXUS, lun2, WRITE_10, ByteBuffer.allocate(4096), 0, i));
        }
      });
      thread.start();
      running.add(thread);
    }
    for (Thread thread : running) {
      thread.join();
    }

    long each = (long) threads * perThread;
    Map<Integer, VolumeCounters.Reading> luns = counters.readLuns();
    assertThat(luns).containsOnlyKeys(2);
    VolumeCounters.Reading lun = luns.get(2);
    assertThat(lun.readOps()).isEqualTo(each);
    assertThat(lun.writeOps()).isEqualTo(each);
    assertThat(lun.readBytes()).isEqualTo(each * 4096);
    assertThat(lun.writeBytes()).isEqualTo(each * 4096);
    assertThat(lun.readLatency().count()).isEqualTo(each);
    assertThat(lun.writeLatency().count()).isEqualTo(each);
    assertThat(lun.queueDepth()).isZero();
    assertThat(counters.snapshot()).isEqualTo(new IoCounters.Snapshot(each, each, each * 4096, each * 4096));
  }

  @Test
  void ioToALunWithoutANumberCountsInTheTotalsOnly() {
    IoCounters counters = new IoCounters(new IoCountersBench.NothingTarget());
    counters.execute(new ScsiCommand(NEXUS, 0L, READ_10, null, 4096, 1));
    counters.execute(new ScsiCommand(NEXUS, 0xC101_0000_0000_0000L, READ_10, null, 4096, 2)); // extended LUN
    assertThat(counters.snapshot().readOps()).isEqualTo(2);
    assertThat(counters.readLuns()).containsOnlyKeys(0);
    assertThat(counters.readLuns().get(0).readOps()).isEqualTo(1);
  }
}
