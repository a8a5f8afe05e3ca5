package io.strata.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus's own checker, {@code promtool} (Debian package {@code prometheus}, which
 * infra/bin/test installs), run on a scraped /q/metrics page: {@code promtool check metrics}
 * parses the exposition format and lints names, types, units and help texts; any problem it
 * reports fails the caller's test with promtool's words.
 */
public final class Promtool {

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", Pattern.MULTILINE);

  private Promtool() {}

  /** The promtool binary: {@code STRATA_PROMTOOL}, else the first on PATH. */
  public static Path binary() {
    String configured = System.getenv("STRATA_PROMTOOL");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, "promtool");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError("promtool is not installed: install the Debian package 'prometheus' "
        + "(infra/bin/test does) or set STRATA_PROMTOOL");
  }

  /** Runs {@code promtool check metrics} on {@code exposition}; an AssertionError lists any problem. */
  public static void checkMetrics(String exposition) {
    Result result = run(exposition, "check", "metrics");
    if (result.exitCode() != 0 || !result.output().isBlank()) {
      throw new AssertionError("promtool check metrics reported (exit " + result.exitCode() + "):\n" + result.output());
    }
  }

  /** What a promtool run printed (stdout and stderr together) and its exit code. */
  public record Result(int exitCode, String output) {}

  /** Runs promtool with {@code args}, feeding it {@code stdin}. */
  public static Result run(String stdin, String... args) {
    String[] command = new String[args.length + 1];
    command[0] = binary().toString();
    System.arraycopy(args, 0, command, 1, args.length);
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      try (OutputStream in = process.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("promtool did not finish in 60 s");
      }
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      throw new AssertionError("cannot run promtool: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while promtool ran", e);
    }
  }

  /** The names of the samples on a metrics page (histogram/summary series keep their suffixes). */
  public static Set<String> sampleNames(String exposition) {
    Set<String> names = new TreeSet<>();
    Matcher m = SAMPLE.matcher(exposition);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
