package io.strata.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback TCP relay in front of the real Keycloak that writes down every HTTP request passing
 * through it ({@code "POST /realms/strata/protocol/openid-connect/token/introspect"}). A service
 * whose OIDC server URL is the relay's talks to the real Keycloak, and a test can count what it
 * asked: discovery, key sets, introspection.
 *
 * <p>Keycloak builds its endpoint URLs from the Host header, so the discovered endpoints point
 * back at the relay too; the tokens' issuer stays the real Keycloak's URL.
 */
public final class KeycloakRelay implements AutoCloseable {
  private static final Pattern REQUEST_LINE =
      Pattern.compile("(?m)^(GET|POST|PUT|DELETE|HEAD|PATCH|OPTIONS) (\\S+) HTTP/1\\.[01]\r?$");

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  public KeycloakRelay(String host, int port) throws IOException {
    this.target = new InetSocketAddress(host, port);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "keycloak-relay");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Every request seen so far, oldest first, as "METHOD path". */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** The requests seen since the first {@code from} ones. */
  public List<String> requestsSince(int from) {
    List<String> all = requests();
    return all.subList(Math.min(from, all.size()), all.size());
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        upstream.connect(target, 2_000);
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream, true);
        pump(upstream, client, false);
      } catch (IOException e) {
        if (server.isClosed()) {
          return;
        }
      }
    }
  }

  private void pump(Socket from, Socket to, boolean clientToServer) {
    Thread t = new Thread(() -> {
      StringBuilder pending = new StringBuilder();
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (clientToServer) {
            pending.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            recordRequests(pending);
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // either side closed: close both
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "keycloak-relay-pump");
    t.setDaemon(true);
    t.start();
  }

  /** Records the complete request lines in {@code pending} and keeps only its unfinished tail. */
  private void recordRequests(StringBuilder pending) {
    Matcher m = REQUEST_LINE.matcher(pending);
    int end = -1;
    while (m.find()) {
      requests.add(m.group(1) + " " + m.group(2));
      end = m.end();
    }
    int lastBreak = pending.lastIndexOf("\n");
    int keepFrom = Math.max(end, lastBreak + 1);
    if (keepFrom > 0) {
      pending.delete(0, keepFrom);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }
}
