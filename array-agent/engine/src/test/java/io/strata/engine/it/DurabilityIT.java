package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability contract: a WRITE the engine acknowledged survives kill -9 of the engine. A
 * writer stamps every 512-byte block with its LBA, a generation and a sequence number; the engine
 * is killed mid-load again and again; after each restart every acknowledged block must read back
 * as the last acknowledged stamp (or as the one write that was in flight at the kill).
 */
class DurabilityIT {
  static final String IQN = "iqn.2026-11.io.strata:it.durability";
  static final int BLOCKS = 4096; // 2 MiB of LBA space: small, so blocks get overwritten often
  static final int ROUNDS = Integer.getInteger("strata.durability.rounds", 4);
  /** Writes acknowledged in a round before its kill may come. */
  static final int MIN_ACKS_PER_ROUND = 40;

  @TempDir Path dir;

  /** What the writer knows about one LBA: the last acknowledged stamp and one maybe-landed. */
  record Expect(long acked, long inFlight) {}

  static byte[] stamp(long lba, long generationAndSeq) {
    byte[] block = new byte[512];
    ByteBuffer b = ByteBuffer.wrap(block);
    for (int i = 0; i < 512; i += 16) {
      b.putLong(i, lba);
      b.putLong(i + 8, generationAndSeq);
    }
    return block;
  }

  static boolean isStamp(byte[] blocks, int index, long lba, long generationAndSeq) {
    byte[] want = stamp(lba, generationAndSeq);
    for (int i = 0; i < 512; i++) {
      if (blocks[index * 512 + i] != want[i]) {
        return false;
      }
    }
    return true;
  }

  static boolean isZero(byte[] blocks, int index) {
    for (int i = 0; i < 512; i++) {
      if (blocks[index * 512 + i] != 0) {
        return false;
      }
    }
    return true;
  }

  @Test
  void acknowledgedWritesSurviveKillNine() throws Exception {
    LibIscsi.requireTools();
    int port = EngineProcess.freePort();
    String[] args = {"--portal", "127.0.0.1:" + port, "--iqn", IQN,
        "--lun", "0=" + dir.resolve("lun0.img") + ":" + (BLOCKS / 2) + "K"};
    Map<Long, Expect> expected = new HashMap<>();
    Random random = new Random(42);
    long acknowledged = 0;
    for (int round = 1; round <= ROUNDS; round++) {
      EngineProcess engine = EngineProcess.start(args);
      try (TestInitiator initiator = new TestInitiator("127.0.0.1", port, IQN, LibIscsi.INITIATOR)) {
        verify(initiator, expected);
        AtomicBoolean killed = new AtomicBoolean();
        AtomicLong roundAcks = new AtomicLong();
        int killDelayMillis = random.nextInt(400);
        Thread killer = new Thread(() -> {
          try {
            // Kill mid-load, not by the clock alone: a slow machine would otherwise kill before
            // the load got going and the round would prove little.
            while (roundAcks.get() < MIN_ACKS_PER_ROUND) {
              Thread.sleep(5);
            }
            Thread.sleep(killDelayMillis);
            killed.set(true);
            engine.killHard();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        killer.setDaemon(true); // never holds the JVM if the round fails before the kill
        killer.start();
        long seq = 0;
        while (true) {
          long lba = random.nextInt(BLOCKS - 8);
          int count = 1 + random.nextInt(8);
          long tag = ((long) round << 40) | ++seq;
          byte[] data = new byte[count * 512];
          for (int i = 0; i < count; i++) {
            System.arraycopy(stamp(lba + i, tag), 0, data, i * 512, 512);
            Expect before = expected.get(lba + i);
            expected.put(lba + i, new Expect(before == null ? 0 : before.acked(), tag));
          }
          try {
            initiator.write(lba, data, random.nextInt(16) == 0);
          } catch (IOException e) {
            assertThat(killed.get()).as("the write failed before the kill: " + e).isTrue();
            break;
          }
          acknowledged++;
          roundAcks.incrementAndGet();
          for (int i = 0; i < count; i++) {
            expected.put(lba + i, new Expect(tag, tag));
          }
        }
        killer.join();
      } finally {
        engine.killHard();
      }
    }
    EngineProcess last = EngineProcess.start(args);
    try (TestInitiator initiator = new TestInitiator("127.0.0.1", port, IQN, LibIscsi.INITIATOR)) {
      verify(initiator, expected);
    } finally {
      last.stop();
    }
    assertThat(acknowledged).as("writes acknowledged over all rounds").isGreaterThanOrEqualTo((long) MIN_ACKS_PER_ROUND * ROUNDS);
  }

  /** Every block must hold its last acknowledged stamp, or the stamp that was in flight. */
  private static void verify(TestInitiator initiator, Map<Long, Expect> expected) throws IOException {
    for (long base = 0; base < BLOCKS; base += 256) {
      byte[] blocks = initiator.read(base, 256);
      for (int i = 0; i < 256; i++) {
        Expect e = expected.get(base + i);
        if (e == null) {
          continue;
        }
        // acked 0: never acknowledged, so the block may still read as zeros.
        boolean ok = (e.acked() == 0 ? isZero(blocks, i) : isStamp(blocks, i, base + i, e.acked()))
            || isStamp(blocks, i, base + i, e.inFlight());
        assertThat(ok).as("block %d holds stamp %x or %x", base + i, e.acked(), e.inFlight()).isTrue();
      }
    }
  }
}
