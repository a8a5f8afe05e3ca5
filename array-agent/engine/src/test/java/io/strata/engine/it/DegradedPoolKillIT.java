package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.pool.Pool;
import io.strata.engine.pool.Protection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SIGKILL during writes to a degraded RAID-5 and RAID-6 pool: a child JVM runs the pool code over
 * file drives with drives missing ({@link DegradedPoolWriter}) and is killed with SIGKILL at a
 * random moment; the pool is opened again, still degraded, and every block must hold its last
 * acknowledged write (or the one in flight), also the blocks on the missing drives, solved from
 * parity. That holds only because the stripe journal is replayed at the start.
 * {@code -Dstrata.degradedkill.rounds=N} (default 3 per level).
 */
class DegradedPoolKillIT {
  static final int ROUNDS = Integer.getInteger("strata.degradedkill.rounds", 3);
  static final long DRIVE_MIB = 40;

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"parity, 4, '1'", "parity2, 5, '1,3'"})
  void everyAcknowledgedWriteSurvivesKillNineWhileDegraded(String level, int drives,
      String missingText) throws Exception {
    Protection protection = Protection.parse(level);
    Set<Integer> missing = DegradedPoolWriter.parseMissing(missingText);
    int dataDrives = drives - (protection == Protection.PARITY2 ? 2 : 1);
    int region = 16 * 128 * dataDrives; // sixteen stripes: writes meet the missing units often
    long[] acked = new long[region];
    long[] inFlight = new long[region];
    Arrays.fill(acked, 1);
    try (Pool healthy = Pool.open("kill", protection,
        DegradedPoolWriter.drives(dir, drives, DRIVE_MIB, Set.of()))) {
      healthy.write(0, stamps(0, acked), false);
    }
    Random random = new Random(Long.getLong("strata.degradedkill.seed", 18));
    long gen = 1;
    for (int round = 1; round <= ROUNDS; round++) {
      long seed = random.nextLong();
      Process child = start(level, drives, missingText, region, seed, gen);
      int killAfter = 20 + random.nextInt(200);
      long lastW = -1;
      long lastA = -1;
      long wLba = 0;
      int wCount = 0;
      int acks = 0;
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          String[] f = line.split(" ");
          if (f[0].equals("READY")) {
            assertThat(line).isEqualTo("READY degraded=true");
          } else if (f[0].equals("W")) {
            lastW = Long.parseLong(f[1]);
            wLba = Long.parseLong(f[2]);
            wCount = Integer.parseInt(f[3]);
            Arrays.fill(inFlight, (int) wLba, (int) wLba + wCount, lastW);
          } else if (f[0].equals("A")) {
            lastA = Long.parseLong(f[1]);
            assertThat(lastA).isEqualTo(lastW);
            System.arraycopy(inFlight, (int) wLba, acked, (int) wLba, wCount);
            if (++acks == killAfter) {
              // SIGKILL, in the middle of a later write; its output is read to the end (the
              // Process's own destroy would close the stream before the last lines are read).
              new ProcessBuilder("kill", "-KILL", Long.toString(child.pid())).start().waitFor();
            }
          }
        }
      } finally {
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
      }
      assertThat(acks).as("round %d: the writer got going before it died", round)
          .isGreaterThanOrEqualTo(killAfter);
      gen = Math.max(lastW, lastA) + 1;
      try (Pool restarted = Pool.open("kill", protection,
          DegradedPoolWriter.drives(dir, drives, DRIVE_MIB, missing))) {
        assertThat(restarted.degraded()).isTrue();
        ByteBuffer all = ByteBuffer.allocate(region * 512);
        restarted.read(0, all);
        byte[] bytes = all.array();
        for (int b = 0; b < region; b++) {
          boolean ok = Arrays.equals(bytes, b * 512, b * 512 + 512,
              BlockStackCrashIT.stamp(b, acked[b]), 0, 512)
              || Arrays.equals(bytes, b * 512, b * 512 + 512,
              BlockStackCrashIT.stamp(b, inFlight[b]), 0, 512);
          assertThat(ok).as("%s round %d: block %d holds generation %d (or %d in flight)",
              level, round, b, acked[b], inFlight[b]).isTrue();
          // What was in flight and landed is now what is there: a later round must find it.
          if (Arrays.equals(bytes, b * 512, b * 512 + 512,
              BlockStackCrashIT.stamp(b, inFlight[b]), 0, 512)) {
            acked[b] = inFlight[b];
          }
        }
      }
    }
  }

  private Process start(String level, int drives, String missing, int region, long seed,
      long gen) throws Exception {
    Path jar = Path.of(System.getProperty("strata.engine.jar", "target/strata-engine.jar"));
    Path testClasses = Path.of(DegradedPoolKillIT.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI());
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-XX:TieredStopAtLevel=1", "-cp", jar + ":" + testClasses,
        DegradedPoolWriter.class.getName(), dir.toString(), level, Integer.toString(drives),
        Long.toString(DRIVE_MIB), missing, Integer.toString(region), Long.toString(seed),
        Long.toString(gen)));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static ByteBuffer stamps(int lba, long[] gens) {
    ByteBuffer b = ByteBuffer.allocate(gens.length * 512);
    for (int i = 0; i < gens.length; i++) {
      b.put(BlockStackCrashIT.stamp(lba + i, gens[i]));
    }
    return b.flip();
  }
}
