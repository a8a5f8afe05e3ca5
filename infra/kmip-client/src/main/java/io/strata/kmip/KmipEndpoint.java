package io.strata.kmip;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where a KMIP server is and how to prove who we are to it. The files are PEM: the CA
 * certificate(s) that signed the server's certificate, the client's certificate (chain), and the
 * client's private key as unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}, what
 * {@code openssl genpkey} writes; RSA or EC). The server's certificate must name {@code host} (IP
 * or DNS subject alternative name): the client checks it as HTTPS does.
 *
 * @param connectTimeout for the TCP connection and the TLS handshake
 * @param operationTimeout the longest wait for any answer of the server
 */
public record KmipEndpoint(
    String host,
    int port,
    Path caCertificate,
    Path clientCertificate,
    Path clientKey,
    Duration connectTimeout,
    Duration operationTimeout) {

  public static final int DEFAULT_PORT = 5696;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(10);

  public KmipEndpoint {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) throw new IllegalArgumentException("host must not be blank");
    if (port < 1 || port > 65535) throw new IllegalArgumentException("port must be 1..65535, not " + port);
    Objects.requireNonNull(caCertificate, "caCertificate");
    Objects.requireNonNull(clientCertificate, "clientCertificate");
    Objects.requireNonNull(clientKey, "clientKey");
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("operationTimeout", operationTimeout);
  }

  /** The endpoint with the default timeouts (5 s to connect, 10 s for an answer). */
  public static KmipEndpoint of(String host, int port, Path caCertificate, Path clientCertificate, Path clientKey) {
    return new KmipEndpoint(host, port, caCertificate, clientCertificate, clientKey,
        DEFAULT_CONNECT_TIMEOUT, DEFAULT_OPERATION_TIMEOUT);
  }

  public KmipEndpoint withTimeouts(Duration connect, Duration operation) {
    return new KmipEndpoint(host, port, caCertificate, clientCertificate, clientKey, connect, operation);
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }

  private static void requirePositive(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isNegative() || value.isZero() || value.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(field + " must be positive and below 24 days, not " + value);
    }
  }
}
