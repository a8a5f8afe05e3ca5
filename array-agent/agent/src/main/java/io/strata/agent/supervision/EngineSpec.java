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
 * @param chap the CHAP user initiators log in with (null: no CHAP); the engine takes one
 * @param mutualChap the target's own credentials for mutual CHAP, if any
 * @param vcpus the CPU share from the engine size
 * @param memoryMib the memory share from the engine size
 */
public record EngineSpec(
    String arrayId,
    String portalHost,
    int portalPort,
    String targetIqn,
    List<Lun> luns,
    Credentials chap,
    Credentials mutualChap,
    int vcpus,
    int memoryMib) {

  public EngineSpec {
    luns = List.copyOf(luns);
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
