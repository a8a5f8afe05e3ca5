package io.strata.engine.it;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.drive.Drive;
import io.strata.engine.drive.MediaType;
import io.strata.engine.pool.Pool;
import io.strata.engine.pool.Protection;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The process {@link DegradedPoolKillIT} kills: opens a parity pool of file drives with some
 * members missing (degraded, as the engine opens it when a drive is gone) and writes stamped
 * blocks (the engine's pool code, direct I/O on real files) until it is killed, printing
 * {@code W gen lba count} before each write and {@code A gen} once it returned (acknowledged).
 *
 * <p>Arguments: directory, protection, drive count, drive size in MiB, missing members (comma
 * separated), region in blocks, seed, first generation.
 */
public final class DegradedPoolWriter {
  private DegradedPoolWriter() {}

  static List<BlockDevice> drives(Path dir, int count, long sizeMiB, Set<Integer> missing)
      throws IOException {
    List<BlockDevice> members = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      members.add(missing.contains(i) ? null : Drive.open("d" + i, dir.resolve("d" + i + ".img"),
          MediaType.SSD, sizeMiB << 20, null));
    }
    return members;
  }

  static Set<Integer> parseMissing(String text) {
    Set<Integer> out = new TreeSet<>();
    for (String s : text.split(",")) {
      if (!s.isBlank()) {
        out.add(Integer.parseInt(s.trim()));
      }
    }
    return out;
  }

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    Protection protection = Protection.parse(args[1]);
    int count = Integer.parseInt(args[2]);
    long sizeMiB = Long.parseLong(args[3]);
    Set<Integer> missing = parseMissing(args[4]);
    int region = Integer.parseInt(args[5]);
    Random random = new Random(Long.parseLong(args[6]));
    long gen = Long.parseLong(args[7]);
    Pool pool = Pool.open("kill", protection, drives(dir, count, sizeMiB, missing));
    PrintStream out = System.out;
    out.println("READY degraded=" + pool.degraded());
    out.flush();
    while (true) {
      int blocks = 1 + random.nextInt(256);
      long lba = random.nextInt(region - blocks);
      gen++;
      ByteBuffer data = ByteBuffer.allocate(blocks * 512);
      for (int b = 0; b < blocks; b++) {
        data.put(BlockStackCrashIT.stamp(lba + b, gen));
      }
      out.println("W " + gen + " " + lba + " " + blocks);
      out.flush();
      pool.write(lba, data.flip(), false);
      out.println("A " + gen);
      out.flush();
    }
  }
}
