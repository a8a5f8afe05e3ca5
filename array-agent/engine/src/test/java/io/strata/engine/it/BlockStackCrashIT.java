package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash consistency of the block stack: the engine serves a thin volume from a mirrored pool
 * (--layout) under a mixed load of stamped writes, reads, unmaps (whole extents and parts of
 * one), snapshots and snapshot deletions, and is killed with SIGKILL at a random moment. After
 * each restart every block of the volume must hold its last acknowledged stamp (or the one
 * write or unmap in flight at the kill), and every snapshot exactly what the volume held when it
 * was taken. {@code -Dstrata.crash.rounds=200} for the long run; {@code
 * -Dstrata.crash.protection=parity} (or {@code parity2}) runs it over a RAID-5 (RAID-6) pool,
 * whose write-intent bitmap is then resynced at every restart.
 */
class BlockStackCrashIT {
  static final String IQN = "iqn.2026-11.io.strata:it.crash";
  static final int BLOCKS = 16 * 2048; // 16 MiB: 16 extents, so extents are freed and reused
  static final int ROUNDS = Integer.getInteger("strata.crash.rounds", 3);
  static final int MAX_SNAPSHOTS = 3;
  /** The pool under test: mirror (two drives), parity (three) or parity2 (four). */
  static final String PROTECTION = System.getProperty("strata.crash.protection", "mirror");

  @TempDir Path dir;

  /** Per block: the acknowledged stamp and the one that may have landed (0 = zeros). */
  long[] acked = new long[BLOCKS];
  long[] inFlight = new long[BLOCKS];
  /** Live snapshots: name to LUN and the content (stamps) it must hold. */
  final Map<String, Integer> snapshotLun = new LinkedHashMap<>();
  final Map<String, long[]> snapshotContent = new LinkedHashMap<>();
  /** The round being run (0 before the first kill), for messages. */
  int round;

  static byte[] stamp(long lba, long tag) {
    byte[] block = new byte[512];
    if (tag == 0) {
      return block;
    }
    ByteBuffer b = ByteBuffer.wrap(block);
    for (int i = 0; i < 512; i += 16) {
      b.putLong(i, lba).putLong(i + 8, tag);
    }
    return block;
  }

  static boolean holds(byte[] blocks, int index, long lba, long tag) {
    return Arrays.equals(blocks, index * 512, index * 512 + 512, stamp(lba, tag), 0, 512);
  }

  @Test
  void everyAcknowledgedBlockAndSnapshotSurvivesKillNine() throws Exception {
    LibIscsi.requireTools();
    int port = EngineProcess.freePort();
    LayoutFile layout = new LayoutFile(dir.resolve("array.json"));
    layout.driveSize = "64M";
    layout.protection = PROTECTION;
    layout.driveCount = switch (PROTECTION) {
      case "parity", "raid5" -> 3;
      case "parity2", "raid6" -> 4;
      default -> 2;
    };
    layout.volumes.add(new LayoutFile.Vol("v", "16M", null));
    layout.setLun(0, "v");
    layout.write();
    String[] args = {"--portal", "127.0.0.1:" + port, "--iqn", IQN,
        "--layout", layout.file.toString()};
    Random random = new Random(Long.getLong("strata.crash.seed", 7));
    long operations = 0;
    int snapshotsTaken = 0;
    int snapshotsDeleted = 0;
    int nextSnapshot = 1;
    for (round = 1; round <= ROUNDS; round++) {
      EngineProcess engine = EngineProcess.start(args);
      try (TestInitiator initiator = new TestInitiator("127.0.0.1", port, IQN, LibIscsi.INITIATOR)) {
        verifyAndSettle(initiator);
        AtomicBoolean killed = new AtomicBoolean();
        // Kill after a random number of operations (so that a slow, loaded machine still
        // gets a real load), at a random moment within the operation then running.
        AtomicLong done = new AtomicLong();
        int target = 15 + random.nextInt(60);
        int jitterMicros = random.nextInt(20_000);
        Thread killer = new Thread(() -> {
          try {
            while (done.get() < target) {
              Thread.sleep(1);
            }
            TimeUnit.MICROSECONDS.sleep(jitterMicros);
            killed.set(true);
            engine.killHard();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        killer.setDaemon(true);
        killer.start();
        long seq = 0;
        try {
          while (true) {
            int op = random.nextInt(100);
            long tag = ((long) round << 40) | ++seq;
            if (op < 60) {
              int count = 1 + random.nextInt(16);
              long lba = random.nextInt(BLOCKS - count);
              byte[] data = new byte[count * 512];
              for (int i = 0; i < count; i++) {
                System.arraycopy(stamp(lba + i, tag), 0, data, i * 512, 512);
                inFlight[(int) lba + i] = tag;
              }
              initiator.lun = 0;
              initiator.write(lba, data, random.nextInt(8) == 0);
              settle(lba, count);
            } else if (op < 75) {
              int count = 1 + random.nextInt(64);
              long lba = random.nextInt(BLOCKS - count);
              initiator.lun = 0;
              byte[] blocks = initiator.read(lba, count);
              for (int i = 0; i < count; i++) {
                assertThat(holds(blocks, i, lba + i, acked[(int) lba + i]))
                    .as("round %d: block %d reads its last write", round, lba + i).isTrue();
              }
            } else if (op < 90) {
              boolean wholeExtent = random.nextBoolean();
              int count = wholeExtent ? 2048 : 1 + random.nextInt(64);
              long lba = wholeExtent ? random.nextInt(BLOCKS / 2048) * 2048L
                  : random.nextInt(BLOCKS - count);
              for (int i = 0; i < count; i++) {
                inFlight[(int) lba + i] = 0;
              }
              initiator.lun = 0;
              initiator.unmap(lba, count);
              settle(lba, count);
            } else if (op < 96 || snapshotLun.isEmpty()) {
              String name = "s" + nextSnapshot++;
              int lun = freeLun();
              // No command is in flight: the snapshot must hold exactly the acknowledged state,
              // whether it was taken before the kill or (from the layout) after the restart.
              snapshotLun.put(name, lun);
              snapshotContent.put(name, acked.clone());
              layout.snapshots.add(new LayoutFile.Snap(name, "v"));
              layout.setLun(lun, name);
              snapshotsTaken++;
              if (snapshotLun.size() > MAX_SNAPSHOTS) {
                String victim = new ArrayList<>(snapshotLun.keySet())
                    .get(random.nextInt(snapshotLun.size() - 1)); // any but the newest
                layout.setLun(snapshotLun.remove(victim), null);
                snapshotContent.remove(victim);
                layout.snapshots.removeIf(s -> s.name().equals(victim));
                snapshotsDeleted++;
              }
              layout.apply(engine);
            } else {
              // Read a snapshot back through its LUN while the volume changes.
              String name = new ArrayList<>(snapshotLun.keySet())
                  .get(random.nextInt(snapshotLun.size()));
              initiator.lun = snapshotLun.get(name);
              long lba = random.nextInt(BLOCKS - 64);
              byte[] blocks = initiator.read(lba, 64);
              for (int i = 0; i < 64; i++) {
                assertThat(holds(blocks, i, lba + i, snapshotContent.get(name)[(int) lba + i]))
                    .as("snapshot %s block %d", name, lba + i).isTrue();
              }
            }
            operations++;
            done.incrementAndGet();
          }
        } catch (IOException e) {
          assertThat(killed.get()).as("round " + round + ": failed before the kill: " + e)
              .isTrue();
        }
        killer.join();
      } finally {
        engine.killHard();
      }
    }
    EngineProcess last = EngineProcess.start(args);
    try (TestInitiator initiator = new TestInitiator("127.0.0.1", port, IQN, LibIscsi.INITIATOR)) {
      verifyAndSettle(initiator);
    } finally {
      assertThat(last.stop()).isIn(0, 143);
    }
    System.out.printf("crash harness (%s): %d rounds, %d operations, %d snapshots taken, %d"
        + " deleted%n", PROTECTION, ROUNDS, operations, snapshotsTaken, snapshotsDeleted);
    assertThat(operations).as("operations over all rounds").isGreaterThanOrEqualTo(15L * ROUNDS);
  }

  /** What a block that failed its check holds: its first stamp, or that it is no stamp. */
  static String describe(byte[] blocks, int index) {
    ByteBuffer b = ByteBuffer.wrap(blocks, index * 512, 512).slice();
    long lba = b.getLong(0);
    long tag = b.getLong(8);
    return holds(blocks, index, lba, tag) ? String.format("lba %d stamp %x", lba, tag)
        : String.format("an unstamped block starting %x %x", lba, tag);
  }

  private void settle(long lba, int count) {
    for (int i = 0; i < count; i++) {
      acked[(int) lba + i] = inFlight[(int) lba + i];
    }
  }

  private int freeLun() {
    for (int lun = 1; ; lun++) {
      if (!snapshotLun.containsValue(lun)) {
        return lun;
      }
    }
  }

  /**
   * Checks the volume (every block holds its acknowledged stamp or the one in flight) and every
   * snapshot (exactly), then takes what the volume holds as the new acknowledged state.
   */
  private void verifyAndSettle(TestInitiator initiator) throws IOException {
    initiator.lun = 0;
    for (int base = 0; base < BLOCKS; base += 256) {
      byte[] blocks = initiator.read(base, 256);
      for (int i = 0; i < 256; i++) {
        int lba = base + i;
        boolean isAcked = holds(blocks, i, lba, acked[lba]);
        boolean isInFlight = holds(blocks, i, lba, inFlight[lba]);
        assertThat(isAcked || isInFlight).as("start of round %d: block %d holds stamp %x or %x,"
            + " not %s", round, lba, acked[lba], inFlight[lba], describe(blocks, i)).isTrue();
        acked[lba] = isAcked ? acked[lba] : inFlight[lba];
        inFlight[lba] = acked[lba];
      }
    }
    for (Map.Entry<String, Integer> s : snapshotLun.entrySet()) {
      initiator.lun = s.getValue();
      long[] content = snapshotContent.get(s.getKey());
      for (int base = 0; base < BLOCKS; base += 256) {
        byte[] blocks = initiator.read(base, 256);
        for (int i = 0; i < 256; i++) {
          assertThat(holds(blocks, i, base + i, content[base + i]))
              .as("snapshot %s block %d", s.getKey(), base + i).isTrue();
        }
      }
    }
  }
}
