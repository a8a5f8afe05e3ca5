package io.strata.engine.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The packaged engine (target/strata-engine.jar) as a child process, as operators run it. */
final class EngineProcess implements AutoCloseable {
  final Process process;
  final StringBuffer output = new StringBuffer();
  private final CountDownLatch ready = new CountDownLatch(1);
  private final Thread reader;

  private EngineProcess(List<String> args, boolean sighupIgnored) throws IOException {
    Path jar = Path.of(System.getProperty("strata.engine.jar", "target/strata-engine.jar"));
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: run the package phase first");
    }
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:TieredStopAtLevel=1"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(args);
    if (sighupIgnored) {
      // As under nohup: an ignored signal stays ignored across exec, so the JVM inherits it.
      command.addAll(0, List.of("bash", "-c", "trap '' HUP; exec \"$@\"", "engine"));
    }
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    reader = new Thread(this::readOutput, "engine-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * How long a start may take: a JVM on a machine loaded far beyond its cores (CI, several
   * builds at once) has been seen to need more than 30 seconds.
   */
  /** Extra JVM options (-D...) for the engines a test starts next; empty by default. */
  static List<String> jvmOptions = List.of();

  static final int READY_SECONDS = Integer.getInteger("strata.engine.readySeconds", 90);

  /** Starts an engine and waits until it prints its ready line. */
  static EngineProcess start(String... args) throws Exception {
    return start(false, args);
  }

  /** Starts an engine that inherits an ignored SIGHUP, as one started under nohup does. */
  static EngineProcess startWithSighupIgnored(String... args) throws Exception {
    return start(true, args);
  }

  private static EngineProcess start(boolean sighupIgnored, String... args) throws Exception {
    EngineProcess engine = new EngineProcess(List.of(args), sighupIgnored);
    if (!engine.ready.await(READY_SECONDS, TimeUnit.SECONDS)) {
      engine.close();
      throw new IllegalStateException("engine did not get ready:\n" + engine.output);
    }
    return engine;
  }

  private void readOutput() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        output.append(line).append('\n');
        if (line.contains("ready")) {
          ready.countDown();
        }
      }
    } catch (IOException e) {
      // the process went away
    }
  }

  /**
   * SIGKILL: no shutdown hook, no flush; what survives is what the kernel already had. What the
   * engine printed before it died is all in {@link #output} afterwards: a test that reads the
   * output to tell how far the engine got must see its last lines.
   */
  void killHard() throws InterruptedException {
    if (signalAndWait("-KILL", 10) == -1) {
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** SIGTERM, then the exit code (-1: it did not exit within 15 s and was killed). */
  int stop() throws InterruptedException {
    return signalAndWait("-TERM", 15);
  }

  /**
   * Sends {@code signal} with kill(1), waits up to {@code seconds} for the exit (SIGKILL after
   * that) and for the output reader to take the last lines; the exit code, or -1. Not
   * Process.destroy(): it closes our end of the pipes, losing what the engine printed last.
   */
  private int signalAndWait(String signal, int seconds) throws InterruptedException {
    try {
      new ProcessBuilder("kill", signal, Long.toString(process.pid())).start().waitFor();
    } catch (IOException e) { // no kill(1): the JDK's own, which may lose the last lines
      if (signal.equals("-KILL")) {
        process.destroyForcibly();
      } else {
        process.destroy();
      }
    }
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    reader.join(5_000); // the last lines it printed
    return process.exitValue();
  }

  /** SIGHUP: the engine re-reads its --layout. */
  void reload() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
  }

  /** Waits (30 s at most) until the --layout-status file speaks of {@code revision}; returns it. */
  JsonNode awaitLayoutStatus(Path status, long revision) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < until) {
      if (Files.exists(status)) {
        JsonNode s = new ObjectMapper().readTree(Files.readString(status));
        if (s.path("revision").asLong(-1) == revision) {
          return s;
        }
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("no status for revision " + revision + ":\n" + output);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }

  /** A TCP port free on both 127.0.0.1 and 127.0.0.2 right now. */
  static int freePort() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        port = s.getLocalPort();
      }
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.2", port));
        return port;
      } catch (IOException e) {
        // taken on the second address; try another
      }
    }
    throw new IOException("no free port on 127.0.0.1 and 127.0.0.2");
  }
}
