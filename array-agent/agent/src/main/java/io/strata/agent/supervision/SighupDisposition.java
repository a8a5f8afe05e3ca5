package io.strata.agent.supervision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Engines re-read their layout on SIGHUP. A signal ignored by a process stays ignored in the
 * programs it starts, and a JVM started with SIGHUP ignored cannot handle it: an agent started
 * under {@code nohup} (or by anything else that ignores SIGHUP) would start engines that never
 * reload, silently. So when this JVM ignores SIGHUP, engines are started through
 * {@code env --default-signal=HUP} (GNU coreutils 8.31+), which restores the default before it
 * executes the engine in the same process.
 */
final class SighupDisposition {
  private static final Logger LOG = Logger.getLogger(SighupDisposition.class);
  private static final Path ENV = Path.of("/usr/bin/env");
  private static final List<String> PREFIX = decide(readOwnStatus(), Files.isExecutable(ENV));

  private SighupDisposition() {}

  /** What goes before an engine's command line: nothing, or {@code env --default-signal=HUP}. */
  static List<String> restoringPrefix() {
    return PREFIX;
  }

  static List<String> decide(String procStatus, boolean envPresent) {
    if (!sighupIgnored(procStatus)) {
      return List.of();
    }
    if (!envPresent) {
      LOG.warnf("this agent ignores SIGHUP and %s is missing: its engines will not reload their layout", ENV);
      return List.of();
    }
    LOG.infof("this agent ignores SIGHUP (started under nohup?): engines start with it restored");
    return List.of(ENV.toString(), "--default-signal=HUP");
  }

  /** SIGHUP (1) is bit 0 of the hexadecimal SigIgn mask in /proc/PID/status. */
  static boolean sighupIgnored(String procStatus) {
    for (String line : procStatus.split("\n")) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 1L) != 0;
      }
    }
    return false;
  }

  private static String readOwnStatus() {
    try {
      return Files.readString(Path.of("/proc/self/status"));
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
