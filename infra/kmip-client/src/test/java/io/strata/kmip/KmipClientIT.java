package io.strata.kmip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against the real PyKMIP server (python3-pykmip), started by {@code infra/bin/kmip}. */
class KmipClientIT {

  private static PyKmipServer server;
  private static KmipClient client;
  private final SecureRandom random = new SecureRandom();
  /** Certificates and keys a test makes for itself; deleted after each test. */
  @TempDir java.nio.file.Path dir;

  @BeforeAll
  static void startServer() {
    server = PyKmipServer.start();
    client = KmipClient.connect(server.endpoint());
  }

  @AfterAll
  static void stopServer() {
    if (client != null) client.close();
    if (server != null) server.close();
  }

  private byte[] dataKey() {
    byte[] key = new byte[64];
    random.nextBytes(key);
    return key;
  }

  @Test
  void aCreatedKekIsActiveAndWrapsAndUnwrapsADataKey() {
    String kek = client.createKek("tenant-a-kek");
    assertThat(client.state(kek)).isEqualTo(KeyState.ACTIVE);

    byte[] dataKey = dataKey();
    byte[] wrapped = client.wrap(kek, dataKey);
    assertThat(wrapped).hasSize(1 + 12 + 16 + 64);
    assertThat(new String(wrapped, StandardCharsets.ISO_8859_1))
        .doesNotContain(new String(dataKey, StandardCharsets.ISO_8859_1));
    assertThat(client.unwrap(kek, wrapped)).isEqualTo(dataKey);
    // a fresh IV each time: wrapping the same key twice gives two different wrapped keys
    assertThat(client.wrap(kek, dataKey)).isNotEqualTo(wrapped);
  }

  @Test
  void aWrappedKeyOnlyUnwrapsForItsContext() {
    String kek = client.createKek("tenant-context-kek");
    byte[] dataKey = dataKey();
    byte[] wrapped = client.wrap(kek, dataKey, "volume-1".getBytes(StandardCharsets.UTF_8));

    assertThat(client.unwrap(kek, wrapped, "volume-1".getBytes(StandardCharsets.UTF_8))).isEqualTo(dataKey);
    assertThatThrownBy(() -> client.unwrap(kek, wrapped, "volume-2".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(KmipUnwrapFailedException.class);
  }

  @Test
  void aKeyWrappedByOneKekDoesNotUnwrapWithAnother() {
    String first = client.createKek("tenant-b-kek");
    String second = client.createKek("tenant-c-kek");
    byte[] dataKey = dataKey();
    byte[] wrapped = client.wrap(first, dataKey);

    assertThatThrownBy(() -> client.unwrap(second, wrapped))
        .isInstanceOf(KmipUnwrapFailedException.class)
        .hasMessageContaining(second)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(hex(dataKey)));
  }

  @Test
  void anAlteredWrappedKeyDoesNotUnwrap() {
    String kek = client.createKek("tenant-d-kek");
    byte[] wrapped = client.wrap(kek, dataKey());
    wrapped[wrapped.length - 1] ^= 1;

    assertThatThrownBy(() -> client.unwrap(kek, wrapped)).isInstanceOf(KmipUnwrapFailedException.class);
  }

  @Test
  void aRevokedKekNoLongerUnwrapsAndCanThenBeDestroyed() {
    String kek = client.createKek("tenant-e-kek");
    byte[] wrapped = client.wrap(kek, dataKey());

    client.revoke(kek);

    assertThat(client.state(kek)).isEqualTo(KeyState.DEACTIVATED);
    assertThatThrownBy(() -> client.unwrap(kek, wrapped))
        .isInstanceOfSatisfying(KmipKeyNotActiveException.class, e -> {
          assertThat(e.state()).isEqualTo(KeyState.DEACTIVATED);
          assertThat(e.keyId()).isEqualTo(kek);
          assertThat(e.getMessage()).contains("revoked");
        });
    assertThatThrownBy(() -> client.wrap(kek, dataKey())).isInstanceOf(KmipKeyNotActiveException.class);

    client.destroy(kek);

    assertThatThrownBy(() -> client.unwrap(kek, wrapped)).isInstanceOf(KmipKeyNotFoundException.class);
    assertThatThrownBy(() -> client.state(kek)).isInstanceOf(KmipKeyNotFoundException.class);
  }

  @Test
  void anActiveKekCannotBeDestroyed() {
    String kek = client.createKek("tenant-f-kek");

    assertThatThrownBy(() -> client.destroy(kek))
        .isInstanceOf(KmipOperationException.class)
        .hasMessageContaining("Destroy of key " + kek);
    assertThat(client.state(kek)).isEqualTo(KeyState.ACTIVE);
  }

  @Test
  void anUnknownKeyIsNotFound() {
    assertThatThrownBy(() -> client.unwrap("no-such-key", new byte[1 + 12 + 16 + 64 + 0 + 1]))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] wrapped = client.wrap(client.createKek("tenant-g-kek"), dataKey());
    assertThatThrownBy(() -> client.unwrap("999999", wrapped))
        .isInstanceOfSatisfying(KmipKeyNotFoundException.class, e -> assertThat(e.keyId()).isEqualTo("999999"));
  }

  @Test
  void aClientWithACertificateFromAnotherCaIsRefused() throws Exception {
    // the server's own certificate is signed by the CA but is not a client certificate; a
    // certificate from another CA is the case that matters: make one with openssl
    run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "client.key", "-out", "client.crt", "-days", "1", "-subj", "/CN=strata",
        "-addext", "extendedKeyUsage=clientAuth");
    KmipEndpoint foreign = new KmipEndpoint("127.0.0.1", server.port(), server.tls("ca.crt"),
        dir.resolve("client.crt"), dir.resolve("client.key"), Duration.ofSeconds(5), Duration.ofSeconds(5));

    assertThatThrownBy(() -> KmipClient.connect(foreign)).isInstanceOf(KmipTlsException.class);
  }

  @Test
  void theServersOwnCertificateIsNoClientCertificate() {
    // signed by the CA, but its extended key usage is serverAuth only: TLS refuses it
    KmipEndpoint wrongUsage = new KmipEndpoint("127.0.0.1", server.port(), server.tls("ca.crt"),
        server.tls("server.crt"), server.tls("server.key"), Duration.ofSeconds(5), Duration.ofSeconds(5));

    assertThatThrownBy(() -> KmipClient.connect(wrongUsage)).isInstanceOf(KmipTlsException.class);
  }

  @Test
  void aCertificateOfTheRightCaWithoutClientAuthenticationUsageIsRefused() throws Exception {
    // no extended key usage at all: TLS accepts it, PyKMIP then answers Authentication Not Successful
    run(dir, "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=strata");
    run(dir, "openssl", "x509", "-req", "-in", "client.csr", "-CA", server.tls("ca.crt").toString(),
        "-CAkey", server.tls("ca.key").toString(), "-CAcreateserial", "-CAserial", dir.resolve("ca.srl").toString(),
        "-days", "1", "-out", "client.crt");
    KmipEndpoint noUsage = new KmipEndpoint("127.0.0.1", server.port(), server.tls("ca.crt"),
        dir.resolve("client.crt"), dir.resolve("client.key"), Duration.ofSeconds(5), Duration.ofSeconds(5));

    assertThatThrownBy(() -> KmipClient.connect(noUsage))
        .isInstanceOf(KmipTlsException.class)
        .hasMessageContaining("AUTHENTICATION_NOT_SUCCESSFUL");
  }

  @Test
  void aServerWithAnUntrustedCertificateIsRefused() throws Exception {
    run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=another CA");
    KmipEndpoint distrusting = new KmipEndpoint("127.0.0.1", server.port(), dir.resolve("ca.crt"),
        server.tls("client.crt"), server.tls("client.key"), Duration.ofSeconds(5), Duration.ofSeconds(5));

    assertThatThrownBy(() -> KmipClient.connect(distrusting)).isInstanceOf(KmipTlsException.class);
  }

  @Test
  void aServerWhoseCertificateDoesNotNameTheHostIsRefused() throws Exception {
    // signed by the trusted CA, but for another name: a TLS server in this test presents it
    run(dir, "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=kms.example.org",
        "-addext", "subjectAltName=DNS:kms.example.org");
    run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", server.tls("ca.crt").toString(),
        "-CAkey", server.tls("ca.key").toString(), "-CAcreateserial", "-CAserial", dir.resolve("ca.srl").toString(),
        "-copy_extensions", "copyall", "-days", "1", "-out", "server.crt");
    javax.net.ssl.SSLContext misnamed = PemTls.context(new KmipEndpoint("127.0.0.1", 1, server.tls("ca.crt"),
        dir.resolve("server.crt"), dir.resolve("server.key"), Duration.ofSeconds(5), Duration.ofSeconds(5)));
    try (ServerSocket tlsServer = misnamed.getServerSocketFactory()
        .createServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try (javax.net.ssl.SSLSocket accepted = (javax.net.ssl.SSLSocket) tlsServer.accept()) {
          accepted.startHandshake();
        } catch (java.io.IOException expected) {
          // the client aborts the handshake
        }
      });
      acceptor.start();
      KmipEndpoint endpoint = new KmipEndpoint("127.0.0.1", tlsServer.getLocalPort(), server.tls("ca.crt"),
          server.tls("client.crt"), server.tls("client.key"), Duration.ofSeconds(5), Duration.ofSeconds(5));

      assertThatThrownBy(() -> KmipClient.connect(endpoint))
          .isInstanceOf(KmipTlsException.class)
          .hasMessageContaining("subject alternative names matching IP address 127.0.0.1");
      acceptor.join(5_000);
    }
  }

  @Test
  void anAnswerDeclaringFourGibibytesIsRefusedAtOnce() throws Exception {
    // a TLS server with the real server's certificate that answers any request with a lying header
    javax.net.ssl.SSLContext liar = PemTls.context(new KmipEndpoint("127.0.0.1", 1, server.tls("ca.crt"),
        server.tls("server.crt"), server.tls("server.key"), Duration.ofSeconds(5), Duration.ofSeconds(5)));
    try (ServerSocket tlsServer = liar.getServerSocketFactory()
        .createServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Thread answerer = new Thread(() -> {
        try (java.net.Socket accepted = tlsServer.accept()) {
          accepted.getInputStream().read(new byte[8]);
          accepted.getOutputStream().write(java.util.HexFormat.of().parseHex("42007B01FFFFFFFF"));
          accepted.getOutputStream().flush();
          accepted.getInputStream().read(); // until the client hangs up
        } catch (java.io.IOException ignored) {
          // the client hangs up
        }
      });
      answerer.start();
      KmipEndpoint endpoint = new KmipEndpoint("127.0.0.1", tlsServer.getLocalPort(), server.tls("ca.crt"),
          server.tls("client.crt"), server.tls("client.key"), Duration.ofSeconds(5), Duration.ofSeconds(5));
      long started = System.nanoTime();

      assertThatThrownBy(() -> KmipClient.connect(endpoint))
          .isInstanceOf(KmipProtocolException.class)
          .hasMessageContaining("declares 4294967295 bytes");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
      answerer.join(5_000);
      assertThat(answerer.isAlive()).as("the client closed the connection").isFalse();
    }
  }

  @Test
  void nothingListeningIsUnreachable() {
    KmipEndpoint nowhere = server.endpoint().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2));
    KmipEndpoint closedPort = new KmipEndpoint("127.0.0.1", PyKmipServer.freePort(), nowhere.caCertificate(),
        nowhere.clientCertificate(), nowhere.clientKey(), nowhere.connectTimeout(), nowhere.operationTimeout());
    long started = System.nanoTime();

    assertThatThrownBy(() -> KmipClient.connect(closedPort))
        .isInstanceOf(KmipUnreachableException.class)
        .hasMessageContaining("127.0.0.1:" + closedPort.port());
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void aServerThatNeverAnswersIsUnreachableWithinTheTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      KmipEndpoint mute = new KmipEndpoint("127.0.0.1", silent.getLocalPort(), server.tls("ca.crt"),
          server.tls("client.crt"), server.tls("client.key"), Duration.ofMillis(800), Duration.ofMillis(800));
      long started = System.nanoTime();

      assertThatThrownBy(() -> KmipClient.connect(mute))
          .isInstanceOf(KmipUnreachableException.class)
          .hasMessageContaining("within 800 ms");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }
  }

  @Test
  void aClientReconnectsByItselfAfterTheServerWasDownAndBack() {
    String kek = client.createKek("tenant-h-kek");
    byte[] dataKey = dataKey();
    byte[] wrapped = client.wrap(kek, dataKey);
    try (KmipClient own = KmipClient.connect(server.endpoint().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)))) {
      server.stop();
      try {
        long started = System.nanoTime();
        assertThatThrownBy(() -> own.unwrap(kek, wrapped)).isInstanceOf(KmipUnreachableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      } finally {
        server.restart();
      }
      assertThat(own.unwrap(kek, wrapped)).isEqualTo(dataKey);
    }
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }

  private static void run(java.nio.file.Path dir, String... command) throws Exception {
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
  }
}
