package io.strata.kmip;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real PyKMIP server for a test class, started and stopped with {@code infra/bin/kmip} (the same
 * script as the local stack's) in a state folder of its own under target/ and on a free port, so
 * that test runs of several checkouts and the stack's server on 5696 never meet.
 */
public final class PyKmipServer implements AutoCloseable {

  private final Path root;
  private final Path state;
  private final int port;

  private PyKmipServer(Path root, Path state, int port) {
    this.root = root;
    this.state = state;
    this.port = port;
  }

  public static PyKmipServer start() {
    Path root = Path.of(System.getProperty("strata.root", "../.."));
    Path state = Path.of(System.getProperty("strata.kmip.test.state", "target/kmip-it"));
    PyKmipServer server = new PyKmipServer(root.toAbsolutePath().normalize(), state.toAbsolutePath(), freePort());
    server.run("down"); // a server left by a test run that was killed keeps its old port: stop it
    server.run("up");
    return server;
  }

  /** Stops the server; {@link #restart()} starts it again with the same keys and certificates. */
  public void stop() {
    run("down");
  }

  public void restart() {
    run("up");
  }

  public int port() {
    return port;
  }

  public Path tls(String file) {
    return state.resolve("kmip/tls").resolve(file);
  }

  public KmipEndpoint endpoint() {
    return KmipEndpoint.of("127.0.0.1", port, tls("ca.crt"), tls("client.crt"), tls("client.key"));
  }

  @Override
  public void close() {
    stop();
  }

  private void run(String command) {
    try {
      Files.createDirectories(state);
      ProcessBuilder builder = new ProcessBuilder("bash", root.resolve("infra/bin/kmip").toString(), command)
          .redirectErrorStream(true)
          .redirectOutput(state.resolve("kmip-script.log").toFile());
      builder.environment().put("STRATA_STATE", state.toString());
      builder.environment().put("STRATA_KMIP_PORT", Integer.toString(port));
      Process process = builder.start();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("infra/bin/kmip " + command + " took over 90 s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException("infra/bin/kmip " + command + " failed: "
            + Files.readString(state.resolve("kmip-script.log")));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run infra/bin/kmip " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running infra/bin/kmip " + command, e);
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }
}
