package io.strata.testsupport;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real HTTP server on 127.0.0.1 (a free port) that takes the control plane's alert deliveries as
 * a tenant's or operator's webhook receiver would: every POST under {@code /hook} is kept with its
 * {@code X-Strata-Signature} header and answered 204.
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One delivery as it arrived. */
  public record Delivery(String signature, String body) {
    /** Whether the signature is the HMAC-SHA256 of the body under {@code secret} (docs/observability.md). */
    public boolean signedWith(String secret) {
      return hmac(secret, body).equals(signature);
    }
  }

  private final HttpServer server;
  private final List<Delivery> received = new CopyOnWriteArrayList<>();

  private WebhookReceiver(HttpServer server) {
    this.server = server;
  }

  public static WebhookReceiver start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    WebhookReceiver receiver = new WebhookReceiver(server);
    server.createContext("/hook", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      receiver.received.add(new Delivery(exchange.getRequestHeaders().getFirst("X-Strata-Signature"), body));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
    return receiver;
  }

  /** The address to register: {@code http://127.0.0.1:<port>/hook<suffix>}. */
  public String url(String suffix) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook" + suffix;
  }

  /** Everything received so far, oldest first. */
  public List<Delivery> received() {
    return List.copyOf(received);
  }

  /** {@code sha256=<hex>}: the HMAC-SHA256 of the body under the secret, as the control plane signs. */
  public static String hmac(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
