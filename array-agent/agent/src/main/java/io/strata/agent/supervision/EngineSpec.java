package io.strata.agent.supervision;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one engine process is started with. Two equal specs mean the running engine needs
 * no restart; any difference (a LUN added, a secret changed) means the agent restarts it, since
 * the engine takes its configuration on the command line.
 *
 * @param arrayId the array this engine serves
 * @param portalHost the address its portal binds
 * @param portalPort the port of its portal
 * @param targetIqn its target name
 * @param luns the volumes it exposes
 * @param chap a CHAP user for every initiator (null: none, or per initiator in {@code initiators})
 * @param initiators the servers admitted, each with its own CHAP and LUNs (empty: anyone)
 * @param mutualChap the target's own credentials for mutual CHAP, if any
 * @param vcpus the CPU share from the engine size
 * @param memoryMib the memory share from the engine size
 * @param statsFile where the engine writes its I/O counters (usage samples read them), or null
 */
public record EngineSpec(
    String arrayId,
    String portalHost,
    int portalPort,
    String targetIqn,
    List<Lun> luns,
    Credentials chap,
    List<Initiator> initiators,
    Credentials mutualChap,
    int vcpus,
    int memoryMib,
    Path statsFile) {

  public EngineSpec {
    luns = List.copyOf(luns);
    initiators = List.copyOf(initiators);
  }

  /** A server admitted to the target: its initiator name, its CHAP credentials (or null), its LUNs. */
  public record Initiator(String iqn, Credentials chap, List<Integer> luns) {
    public Initiator {
      luns = List.copyOf(luns);
    }

    /** The engine's {@code --initiator IQN=USER:SECRET:LUNS} (an explicit LUN list, never ambiguous). */
    String argument() {
      String lunList = luns.isEmpty() ? "-" : String.join(",", luns.stream().map(String::valueOf).toList());
      return chap == null ? iqn + "=" + lunList : iqn + "=" + chap.user() + ":" + chap.secret() + ":" + lunList;
    }
  }

  /** LUN {@code lun} is the file {@code path} of {@code sizeBytes}. */
  public record Lun(int lun, Path path, long sizeBytes) {}

  public record Credentials(String user, String secret) {
    @Override
    public String toString() {
      return user + ":<secret>";
    }
  }

  /** The engine's arguments, in the form array-agent/bin/strata-engine documents. */
  public List<String> arguments() {
    List<String> args = new ArrayList<>();
    args.add("--portal");
    args.add(portalHost + ":" + portalPort);
    args.add("--iqn");
    args.add(targetIqn);
    for (Lun lun : luns) {
      args.add("--lun");
      args.add(lun.lun() + "=" + lun.path() + ":" + lun.sizeBytes());
    }
    if (chap != null) {
      args.add("--chap");
      args.add(chap.user() + ":" + chap.secret());
    }
    for (Initiator initiator : initiators) {
      args.add("--initiator");
      args.add(initiator.argument());
    }
    if (statsFile != null) {
      args.add("--stats");
      args.add(statsFile.toString());
    }
    if (mutualChap != null) {
      args.add("--mutual-chap");
      args.add(mutualChap.user() + ":" + mutualChap.secret());
    }
    return args;
  }

  public String portal() {
    return portalHost + ":" + portalPort;
  }
}
