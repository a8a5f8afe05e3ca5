package io.strata.engine.backup;

import io.strata.engine.iscsi.initiator.LocalTarget;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real S3Proxy (filesystem backend) for a test class, started and stopped with {@code
 * infra/bin/s3proxy} (the local stack's script) in a state folder under target/ and on a free
 * port, from the jar Maven resolved for the integration tests ({@code strata.s3proxy.jar}).
 */
final class S3ProxyServer implements AutoCloseable {
  /** The script's default identity and credential. */
  static final String ACCESS_KEY = "strata-backup";
  static final String SECRET_KEY = "strata-backup-secret";

  private final Path root;
  private final Path state;
  private final int port;

  private S3ProxyServer(Path root, Path state, int port) {
    this.root = root;
    this.state = state;
    this.port = port;
  }

  static S3ProxyServer start() {
    Path root = Path.of(System.getProperty("strata.root", "../..")).toAbsolutePath().normalize();
    Path state = Path.of(System.getProperty("strata.s3proxy.test.state", "target/s3proxy-it"))
        .toAbsolutePath();
    S3ProxyServer server = new S3ProxyServer(root, state, freePort());
    server.run("down"); // one left by a killed test run keeps its old port: stop it
    server.deleteObjects(); // every run starts from an empty store: the tests count uploads
    server.run("up");
    return server;
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  BackupTarget target(String bucket, String prefix) {
    return new BackupTarget(endpoint(), "us-east-1", bucket, prefix, ACCESS_KEY, SECRET_KEY);
  }

  private void deleteObjects() {
    Path data = state.resolve("s3proxy/data");
    if (!Files.exists(data)) {
      return;
    }
    try (var paths = Files.walk(data)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot empty " + data, e);
    }
  }

  @Override
  public void close() {
    run("down");
  }

  private void run(String command) {
    try {
      Files.createDirectories(state);
      ProcessBuilder builder = new ProcessBuilder("bash",
          root.resolve("infra/bin/s3proxy").toString(), command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(state.resolve("s3proxy-script.log").toFile()));
      builder.environment().put("STRATA_STATE", state.toString());
      builder.environment().put("STRATA_S3_PORT", Integer.toString(port));
      String jar = System.getProperty("strata.s3proxy.jar");
      if (jar != null) {
        builder.environment().put("STRATA_S3PROXY_JAR", jar);
      }
      Process process = builder.start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("infra/bin/s3proxy " + command + " took over 120 s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException("infra/bin/s3proxy " + command + " failed: "
            + Files.readString(state.resolve("s3proxy-script.log")));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run infra/bin/s3proxy " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running infra/bin/s3proxy " + command, e);
    }
  }

  private static int freePort() {
    try {
      return LocalTarget.freePort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }
}
