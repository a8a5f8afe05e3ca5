package io.strata.agent.supervision;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The full command line of a process. Reads {@code /proc/<pid>/cmdline} on Linux, because the
 * JDK's {@code ProcessHandle.Info.arguments()} gives up on long command lines (an engine's class
 * path is long); falls back to the JDK elsewhere.
 */
public final class ProcessCommandLine {

  private ProcessCommandLine() {}

  public static List<String> of(long pid) {
    Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
    try {
      if (Files.isReadable(cmdline)) {
        String raw = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
        return raw.isEmpty() ? List.of() : Arrays.asList(raw.split("\u0000"));
      }
    } catch (IOException e) {
      // the process ended meanwhile
    }
    return ProcessHandle.of(pid).flatMap(h -> h.info().arguments()).map(Arrays::asList).orElse(List.of());
  }
}
