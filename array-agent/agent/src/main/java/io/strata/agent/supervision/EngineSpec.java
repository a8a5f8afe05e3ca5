package io.strata.agent.supervision;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything one engine process is started with. Two equal specs mean the running engine needs
 * no restart for them: the array's drives, pools, volumes, snapshots, LUNs and initiators travel
 * in its layout file, which the engine re-reads on SIGHUP (the few layout changes a reload cannot
 * make are {@link io.strata.agent.layout.EngineRestart}'s). Only what it takes at start differs
 * between specs: its portal and IQN, and its size (CPU and memory limits).
 *
 * @param arrayId the array this engine serves
 * @param portalHost the address its portal binds
 * @param portalPort the port of its portal
 * @param targetIqn its target name
 * @param layoutFile the array's layout ({@code --layout})
 * @param layoutStatusFile where the engine says which layout revision it applied ({@code --layout-status})
 * @param statsFile where the engine writes its I/O counters (usage samples read them)
 * @param vcpus the CPU share from the engine size
 * @param memoryMib the memory share from the engine size
 * @param exportsFile for the node's drive export service (the engine in {@code --exports} mode,
 *     which lends this node's drives to engines on other nodes): its exports file; null for an
 *     array's engine
 */
public record EngineSpec(
    String arrayId,
    String portalHost,
    int portalPort,
    String targetIqn,
    Path layoutFile,
    Path layoutStatusFile,
    Path statsFile,
    int vcpus,
    int memoryMib,
    Path exportsFile) {

  /** An array's engine. */
  public EngineSpec(
      String arrayId, String portalHost, int portalPort, String targetIqn, Path layoutFile, Path layoutStatusFile,
      Path statsFile, int vcpus, int memoryMib) {
    this(arrayId, portalHost, portalPort, targetIqn, layoutFile, layoutStatusFile, statsFile, vcpus, memoryMib, null);
  }

  /** The engine's arguments, in the form array-agent/bin/strata-engine documents. */
  public List<String> arguments() {
    if (exportsFile != null) {
      return List.of("--exports", exportsFile.toString(), "--portal", portal(), "--layout-status",
          layoutStatusFile.toString());
    }
    return List.of(
        "--portal", portal(),
        "--iqn", targetIqn,
        "--layout", layoutFile.toString(),
        "--layout-status", layoutStatusFile.toString(),
        "--stats", statsFile.toString());
  }

  /** Whether {@code other} differs from this spec in the engine's size (CPU and memory) only. */
  public boolean differsInSizeOnly(EngineSpec other) {
    return !equals(other)
        && new EngineSpec(arrayId, portalHost, portalPort, targetIqn, layoutFile, layoutStatusFile, statsFile,
            other.vcpus, other.memoryMib, exportsFile).equals(other);
  }

  public String portal() {
    return portalHost + ":" + portalPort;
  }
}
