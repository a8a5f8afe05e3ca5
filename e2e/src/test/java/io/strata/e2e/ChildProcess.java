package io.strata.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One separately started JVM (a packaged service, an agent, the Kafka broker) that the test can
 * stop and start again with the same command line; its output goes to a log file, appended
 * across restarts.
 */
final class ChildProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String name;
  private final List<String> command;
  final Path log;
  private Process process;

  ChildProcess(String name, List<String> command, Path log) {
    this.name = name;
    this.command = List.copyOf(command);
    this.log = log;
  }

  /** {@code java <jvm options> -jar <jar>} with each property as -D. */
  static List<String> javaJar(Path jar, List<String> properties) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx384m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:+UseSerialGC");
    // a JVM out of memory ends (and says so in its log) rather than limping on with dead threads
    cmd.add("-XX:+ExitOnOutOfMemoryError");
    for (String p : properties) {
      cmd.add("-D" + p);
    }
    cmd.add("-jar");
    cmd.add(jar.toString());
    return cmd;
  }

  ChildProcess start() throws IOException {
    Files.createDirectories(log.getParent());
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    return this;
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** Waits until {@code healthUrl} answers 200, failing early (with the log's tail) if the process dies. */
  ChildProcess awaitHealthy(String healthUrl, Duration timeout) throws Exception {
    awaitCondition(() -> httpOk(healthUrl), timeout, "healthy at " + healthUrl);
    return this;
  }

  void awaitCondition(BooleanSupplier ready, Duration timeout, String what) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready.getAsBoolean()) {
      if (!alive()) {
        throw new AssertionError(name + " exited (" + process.exitValue() + ") before it was " + what + "\n" + tail());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " not " + what + " after " + timeout + "\n" + tail());
      }
      Thread.sleep(200);
    }
  }

  static boolean httpOk(String url) {
    try {
      HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** SIGTERM, as an operator's restart would; SIGKILL after 30 s. */
  void stop() throws InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** SIGKILL, as a power loss would: no shutdown hook runs. Waits until the process is gone. */
  void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  ChildProcess restart() throws Exception {
    stop();
    return start();
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return "--- last lines of " + log + " ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * The JVM's threads (jcmd Thread.print), written to {@code file}; returned are the stacks of the
   * service's own threads ({@code strata-}), the ones a stuck service is stuck in.
   */
  String threadDump(Path file) {
    try {
      Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          Long.toString(pid()), "Thread.print").redirectErrorStream(true).redirectOutput(file.toFile()).start();
      if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
        jcmd.destroyForcibly();
        return "(jcmd did not answer within 30 s)";
      }
      StringBuilder own = new StringBuilder("--- threads strata-* of " + name + " (all in " + file + ") ---\n");
      boolean inOwn = false;
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith("\"")) {
          inOwn = line.startsWith("\"strata-");
        }
        if (inOwn) {
          own.append(line).append('\n');
        }
      }
      return own.toString();
    } catch (IOException e) {
      return "(no thread dump: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
