package io.strata.engine.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * libiscsi's command line tools (Debian package libiscsi-bin): installed with apt-get when missing
 * and we may, otherwise the test is skipped with the reason.
 */
final class LibIscsi {
  static final String INITIATOR = "iqn.2026-11.io.strata:it.initiator";
  private static final Pattern TESTS_ROW =
      Pattern.compile("^\\s*tests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)", Pattern.MULTILINE);

  /** What one iscsi-test-cu run reported. */
  record Result(int total, int ran, int passed, int failed, Set<String> failedTests, String output) {}

  private LibIscsi() {}

  static void requireTools() {
    if (!Files.isExecutable(Path.of("/usr/bin/iscsi-test-cu"))) {
      try {
        Process p = new ProcessBuilder("apt-get", "install", "-y", "libiscsi-bin")
            .redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        p.waitFor(300, TimeUnit.SECONDS);
      } catch (IOException | InterruptedException e) {
        // fall through to the assumption below
      }
    }
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/iscsi-test-cu")),
        "libiscsi-bin is not installed and apt-get could not install it; skipping iscsi-test-cu tests");
  }

  static String run(int timeoutSeconds, String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " timed out");
    }
    return new String(out, StandardCharsets.UTF_8) + "\nexit=" + p.exitValue();
  }

  static Result testCu(String tests, String... urls) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        "iscsi-test-cu", "-i", INITIATOR, "--dataloss", "-t", tests));
    command.addAll(List.of(urls));
    String output = run(240, command.toArray(String[]::new));
    Matcher m = TESTS_ROW.matcher(output);
    if (!m.find()) {
      throw new AssertionError("no run summary from iscsi-test-cu:\n" + output);
    }
    return new Result(
        Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
        Integer.parseInt(m.group(4)), failedTests(output), output);
  }

  /** Suite.Test names of the failed tests, from CUnit's progress lines. */
  static Set<String> failedTests(String output) {
    Set<String> failed = new LinkedHashSet<>();
    String suite = "?";
    String test = "?";
    for (String line : output.split("\n")) {
      Matcher s = Pattern.compile("^Suite: (\\S+)").matcher(line);
      if (s.find()) {
        suite = s.group(1);
      }
      Matcher t = Pattern.compile("^\\s+Test: (\\S+) \\.\\.\\.").matcher(line);
      if (t.find()) {
        test = t.group(1);
      }
      if (line.contains("...FAILED") || line.startsWith("FAILED")) {
        failed.add(suite + "." + test);
      }
    }
    return failed;
  }
}
