package io.strata.agent.layout;

import io.strata.contracts.command.ArrayDesiredState;
import io.strata.engine.pool.PoolLabels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Drives that leave a pool the control plane deleted, or leave a deleted array, still carry the
 * engine's label (a pool member's superblock, a cache or tier SSD's), and the engine refuses to
 * put a drive labelled for another pool into a new one. Once their engine has stopped, the agent
 * clears the first MiB of such drives, where every one of those labels lives. Only a deletion
 * by the control plane retires a drive: a drive merely missing or failing keeps its label (and
 * its data) untouched.
 */
public final class RetiredDrives {


  private RetiredDrives() {}

  /**
   * The drives of {@code previous} whose pool (as member, cache or tier) is no longer among the
   * pools of {@code next}, or that {@code next} no longer gives the array at all.
   */
  public static List<EngineLayout.Drive> between(EngineLayout previous, ArrayDesiredState next) {
    if (previous == null) {
      return List.of();
    }
    Set<String> pools = new HashSet<>();
    next.pools().forEach(p -> pools.add(p.poolId()));
    Set<String> drives = new HashSet<>();
    next.drives().forEach(d -> drives.add(d.serial()));
    Set<String> retired = new HashSet<>();
    for (EngineLayout.Pool pool : previous.pools()) {
      if (!pools.contains(pool.name())) {
        retired.addAll(pool.drives());
        if (pool.cache() != null) {
          retired.addAll(pool.cache().ssds());
        }
        if (pool.tiering() != null) {
          retired.addAll(pool.tiering().ssds());
        }
      }
    }
    List<EngineLayout.Drive> out = new ArrayList<>();
    for (EngineLayout.Drive d : previous.drives()) {
      if (retired.contains(d.name()) || !drives.contains(d.name())) {
        out.add(d);
      }
    }
    return out;
  }

  /** Every drive of {@code previous} (the array is deleted). */
  public static List<EngineLayout.Drive> all(EngineLayout previous) {
    return previous == null ? List.of() : previous.drives();
  }

  /** Clears the label area of each drive; returns the problems (a drive that is gone is none). */
  public static List<String> wipe(List<EngineLayout.Drive> drives) {
    List<String> problems = new ArrayList<>();
    for (EngineLayout.Drive d : drives) {
      if (d.path() == null) {
        continue; // a drive of another node: its own agent clears it when it stops lending it
      }
      Path path = Path.of(d.path());
      if (!java.nio.file.Files.exists(path)) {
        continue;
      }
      try {
        PoolLabels.clear(path);
      } catch (IOException e) {
        problems.add("drive " + d.name() + ": cannot clear its label: " + e.getMessage());
      }
    }
    return problems;
  }
}
