package io.strata.console.e2e;

import io.strata.testsupport.PostgresTestResource;
import io.strata.testsupport.TestServers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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

/**
 * The real control plane for the browser tests: the one already answering on 127.0.0.1:8081, or
 * else the jar the reactor built (control-plane/service/target/quarkus-app), started on a fresh
 * database with the project's demo tenants (acme, globex), and stopped afterwards.
 */
final class ControlPlaneProcess implements AutoCloseable {
  static final URI API = URI.create(System.getProperty("strata.test.control-plane.url", "http://127.0.0.1:8081/api/v1"));
  static final Path MODULE = Paths.get("..", "control-plane", "service");
  static final Path JAR = MODULE.resolve("target/quarkus-app/quarkus-run.jar");

  private final Process process;
  private final String database;

  private ControlPlaneProcess(Process process, String database) {
    this.process = process;
    this.database = database;
  }

  /** Null when there is neither a running control plane nor a built one to start (the test is then skipped). */
  static ControlPlaneProcess startUnlessRunning() throws Exception {
    if (listening(API)) {
      return new ControlPlaneProcess(null, null);
    }
    if (!Files.isRegularFile(JAR)) {
      return null;
    }
    String db = PostgresTestResource.createDatabase("console_e2e");
    List<String> command = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(Paths.get("target", "control-plane.log").toFile());
    pb.environment().put("STRATA_DB_URL", PostgresTestResource.jdbcUrl(db));
    pb.environment().put("STRATA_HTTP_PORT", String.valueOf(API.getPort()));
    pb.environment().put("STRATA_OIDC_URL", TestServers.realmUrl());
    pb.environment().put("STRATA_KEYCLOAK_URL", TestServers.keycloakUrl());
    // The control plane creates the demo tenants acme and globex at start.
    pb.environment().put("STRATA_DEMO_TENANTS", "acme,globex");
    // No agent runs in this test: arrays stay PROVISIONING, and no Kafka is needed.
    pb.environment().put("STRATA_PROVISIONING_ENABLED", "false");
    Process p = pb.start();
    ControlPlaneProcess cp = new ControlPlaneProcess(p, db);
    try {
      cp.awaitReady(Duration.ofSeconds(180));
      return cp;
    } catch (Exception e) {
      cp.close();
      throw e;
    }
  }

  private void awaitReady(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI ready = URI.create("http://" + API.getHost() + ":" + API.getPort() + "/q/health/ready");
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the control plane exited; see web-console/target/control-plane.log");
      }
      try {
        if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(1000);
    }
    throw new IllegalStateException("the control plane was not ready within " + timeout);
  }

  static boolean listening(URI uri) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroy();
      try {
        process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process.destroyForcibly();
    }
    if (database != null) {
      PostgresTestResource.dropDatabase(database);
    }
  }
}
