package io.strata.agent.supervision;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What this host allows to keep engines apart beyond their own OS process, found once at start:
 * cgroup v2 (a unified hierarchy with cpu and memory controllers) or v1 (separate cpu and memory
 * hierarchies), each only if the agent may create groups there. Applies the engine size as CPU
 * quota and memory limit. Network namespaces: the host may allow them, but engines stay in the
 * node's namespace on its address because their portals must be reached there without routing
 * set up by the operator; that is reported, not hidden.
 */
public final class Isolation {

  private static final Logger LOG = Logger.getLogger(Isolation.class);
  private static final long CFS_PERIOD_US = 100_000;

  public enum Cgroups {
    V2,
    V1,
    NONE
  }

  private final Path root;
  private final Cgroups cgroups;
  private final boolean limits;
  private final List<String> notes;

  Isolation(Path root, Cgroups cgroups, boolean limits, List<String> notes) {
    this.root = root;
    this.cgroups = cgroups;
    this.limits = limits;
    this.notes = List.copyOf(notes);
  }

  /** Probes {@code /sys/fs/cgroup}. */
  public static Isolation detect(boolean wantLimits) {
    return detect(Path.of("/sys/fs/cgroup"), wantLimits);
  }

  static Isolation detect(Path root, boolean wantLimits) {
    List<String> notes = new ArrayList<>();
    notes.add("network namespaces: not used; each engine has its own port on the node's address");
    if (!wantLimits) {
      notes.add("cgroup limits: turned off (strata.agent.engine.cgroup-limits=false)");
      return new Isolation(root, Cgroups.NONE, false, notes);
    }
    Path controllers = root.resolve("cgroup.controllers");
    if (Files.isRegularFile(controllers)) {
      String found = read(controllers).orElse("");
      if (found.contains("cpu") && found.contains("memory") && canCreateGroup(root.resolve("strata"))) {
        enableV2Controllers(root);
        return new Isolation(root, Cgroups.V2, true, notes);
      }
      notes.add("cgroup v2 without usable cpu and memory controllers (have: " + found.trim() + ")");
      return new Isolation(root, Cgroups.NONE, false, notes);
    }
    if (Files.isDirectory(root.resolve("cpu")) && Files.isDirectory(root.resolve("memory"))
        && canCreateGroup(root.resolve("cpu").resolve("strata"))
        && canCreateGroup(root.resolve("memory").resolve("strata"))) {
      return new Isolation(root, Cgroups.V1, true, notes);
    }
    notes.add("cgroups: no writable cpu and memory hierarchy under " + root + "; engines run without CPU/memory limits");
    return new Isolation(root, Cgroups.NONE, false, notes);
  }

  public Cgroups cgroups() {
    return cgroups;
  }

  public boolean limits() {
    return limits;
  }

  public List<String> notes() {
    return notes;
  }

  /**
   * Puts {@code pid} into the array's group with the engine size's limits; returns how the
   * engine is isolated, for its status.
   */
  public String confine(String arrayId, long pid, int vcpus, int memoryMib) {
    if (!limits) {
      return "process";
    }
    String group = "strata/engine-" + arrayId;
    long quota = vcpus * CFS_PERIOD_US;
    long memoryBytes = (long) memoryMib << 20;
    try {
      if (cgroups == Cgroups.V2) {
        Path dir = Files.createDirectories(root.resolve(group));
        Files.writeString(dir.resolve("cpu.max"), quota + " " + CFS_PERIOD_US);
        Files.writeString(dir.resolve("memory.max"), Long.toString(memoryBytes));
        Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
      } else {
        Path cpu = Files.createDirectories(root.resolve("cpu").resolve(group));
        Files.writeString(cpu.resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_US));
        Files.writeString(cpu.resolve("cpu.cfs_quota_us"), Long.toString(quota));
        Files.writeString(cpu.resolve("cgroup.procs"), Long.toString(pid));
        Path memory = Files.createDirectories(root.resolve("memory").resolve(group));
        Files.writeString(memory.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
        Files.writeString(memory.resolve("cgroup.procs"), Long.toString(pid));
      }
      return "process,cgroup-" + cgroups.name().toLowerCase() + "(cpu=" + vcpus + ",memory=" + memoryMib + "MiB)";
    } catch (IOException | RuntimeException e) {
      LOG.warnf("engine %s (pid %d) runs without cgroup limits: %s", arrayId, pid, e.getMessage());
      return "process (cgroup limits failed: " + e.getMessage() + ")";
    }
  }

  /** Removes the array's (empty) groups after its engine stopped. */
  public void release(String arrayId) {
    if (!limits) {
      return;
    }
    String group = "strata/engine-" + arrayId;
    List<Path> dirs = cgroups == Cgroups.V2
        ? List.of(root.resolve(group))
        : List.of(root.resolve("cpu").resolve(group), root.resolve("memory").resolve(group));
    for (Path dir : dirs) {
      try {
        Files.deleteIfExists(dir);
      } catch (IOException e) {
        LOG.debugf("cgroup %s not removed yet: %s", dir, e.getMessage());
      }
    }
  }

  private static boolean canCreateGroup(Path dir) {
    try {
      Files.createDirectories(dir);
      return Files.isRegularFile(dir.resolve("cgroup.procs"));
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  private static void enableV2Controllers(Path root) {
    try {
      Files.writeString(root.resolve("strata").resolve("cgroup.subtree_control"), "+cpu +memory");
    } catch (IOException e) {
      LOG.debugf("cannot enable cpu/memory controllers below %s/strata: %s", root, e.getMessage());
    }
  }

  private static Optional<String> read(Path file) {
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
