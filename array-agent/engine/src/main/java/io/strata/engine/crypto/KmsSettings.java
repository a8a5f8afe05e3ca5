package io.strata.engine.crypto;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.kmip.KmipEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the engine's KMS is and how it proves who it is: the engine's {@code --kmip FILE.json}
 * (docs/encryption.md). {@code {"host": "127.0.0.1", "port": 5696, "ca": "ca.crt",
 * "certificate": "client.crt", "key": "client.key", "retryMaxSeconds": 30}}; the PEM paths are
 * relative to the file's directory; the key is an unencrypted PKCS#8 PEM (what the node's client
 * certificate was made with). {@code retryMaxSeconds} bounds the pause between attempts to fetch
 * a volume's key while the KMS is unreachable (default 30).
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record KmsSettings(String host, Integer port, String ca, String certificate, String key,
    Integer retryMaxSeconds) {

  public static final Duration DEFAULT_RETRY_MAX = Duration.ofSeconds(30);

  /** Reads and checks the file; a bad one is an IllegalArgumentException naming the field. */
  public static Resolved read(Path file) throws IOException {
    KmsSettings s = new ObjectMapper()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .readValue(Files.readAllBytes(file), KmsSettings.class);
    Path base = file.toAbsolutePath().getParent();
    need(s.host, "host", file);
    need(s.ca, "ca", file);
    need(s.certificate, "certificate", file);
    need(s.key, "key", file);
    int port = s.port == null ? KmipEndpoint.DEFAULT_PORT : s.port;
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(file + ": port " + port + " is not in 1..65535");
    }
    if (s.retryMaxSeconds != null && (s.retryMaxSeconds < 1 || s.retryMaxSeconds > 3600)) {
      throw new IllegalArgumentException(file + ": retryMaxSeconds " + s.retryMaxSeconds
          + " is not in 1..3600");
    }
    Path ca = existing(base, s.ca, "ca", file);
    Path certificate = existing(base, s.certificate, "certificate", file);
    Path key = existing(base, s.key, "key", file);
    return new Resolved(KmipEndpoint.of(s.host, port, ca, certificate, key),
        s.retryMaxSeconds == null ? DEFAULT_RETRY_MAX : Duration.ofSeconds(s.retryMaxSeconds));
  }

  /** The endpoint to connect to and the longest pause between attempts to fetch a key. */
  public record Resolved(KmipEndpoint endpoint, Duration retryMax) {}

  private static void need(String value, String field, Path file) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(file + ": " + field + " is missing");
    }
  }

  private static Path existing(Path base, String value, String field, Path file) {
    Path p = base.resolve(value);
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException(file + ": " + field + " " + p + " is not a readable file");
    }
    return p;
  }
}
