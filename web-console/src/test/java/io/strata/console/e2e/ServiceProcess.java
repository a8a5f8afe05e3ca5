package io.strata.console.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of Strata's Quarkus services, run from the jar the reactor built ({@code <module>/target/quarkus-app}),
 * as infra/bin/stack runs it: its own port, its log in web-console/target/, stopped with SIGTERM.
 */
final class ServiceProcess implements AutoCloseable {

  final String name;
  final int port;
  private final Process process;

  private ServiceProcess(String name, int port, Process process) {
    this.name = name;
    this.port = port;
    this.process = process;
  }

  static Path jar(String module) {
    return Paths.get("..", module, "target", "quarkus-app", "quarkus-run.jar");
  }

  /** Starts the service; {@link #awaitReady} waits for it (several services start side by side). */
  static ServiceProcess launch(String name, String module, Map<String, String> env, List<String> systemProperties)
      throws IOException {
    int port = freePort();
    List<String> command = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m", "-XX:TieredStopAtLevel=1"));
    command.addAll(systemProperties);
    command.addAll(List.of("-jar", jar(module).toString()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(Paths.get("target", name + ".log").toFile());
    pb.environment().putAll(env);
    pb.environment().put("STRATA_HTTP_PORT", String.valueOf(port));
    return new ServiceProcess(name, port, pb.start());
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  void awaitReady(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI ready = URI.create(url() + "/q/health/ready");
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited; see web-console/target/" + name + ".log");
      }
      try {
        if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(name + " was not ready within " + timeout + "; see web-console/target/" + name + ".log");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static boolean built(String module) {
    return Files.isRegularFile(jar(module));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
