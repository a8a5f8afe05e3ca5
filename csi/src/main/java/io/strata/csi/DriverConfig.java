package io.strata.csi;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The driver's settings, from a properties file (in Kubernetes a Secret mounted as a file), each
 * key overridable by a system property of the same name. Unknown keys are refused, naming the key,
 * so a misspelt setting is never silently ignored.
 *
 * <pre>
 * controlPlaneUrl   = http://127.0.0.1:8081
 * tokenUrl          = http://127.0.0.1:8180/realms/strata/protocol/openid-connect/token
 * clientId          = strata-csi        (client_credentials with clientSecret, or)
 * clientSecret      = ...
 * username/password = ...               (password grant of a public client such as strata-cli)
 * driverName        = csi.strata.io
 * nodeId            = iqn....           (node plugin: else /etc/iscsi/initiatorname.iscsi)
 * chapUser/chapSecret = ...             (the CHAP credentials the controller registers for each node
 *                                        and the node logs in with)
 * waitTimeout       = PT120S            (how long a call waits for the array to act)
 * </pre>
 */
public record DriverConfig(
    URI controlPlaneUrl,
    URI tokenUrl,
    String clientId,
    String clientSecret,
    String username,
    String password,
    String driverName,
    Optional<String> nodeId,
    Optional<String> chapUser,
    Optional<String> chapSecret,
    Duration waitTimeout) {

  public static final String DEFAULT_DRIVER_NAME = "csi.strata.io";

  private static final Set<String> KEYS = Set.of("controlPlaneUrl", "tokenUrl", "clientId", "clientSecret",
      "username", "password", "driverName", "nodeId", "chapUser", "chapSecret", "waitTimeout");

  public static DriverConfig load(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    return from(p);
  }

  public static DriverConfig from(Properties p) {
    for (String key : p.stringPropertyNames()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown setting '" + key + "' (known: " + KEYS + ")");
      }
    }
    String clientSecret = value(p, "clientSecret");
    String username = value(p, "username");
    if (clientSecret == null && username == null) {
      throw new IllegalArgumentException("clientSecret (client credentials) or username and password is required");
    }
    if (username != null && value(p, "password") == null) {
      throw new IllegalArgumentException("password is required with username");
    }
    return new DriverConfig(
        URI.create(required(p, "controlPlaneUrl")),
        URI.create(required(p, "tokenUrl")),
        required(p, "clientId"),
        clientSecret,
        username,
        value(p, "password"),
        Optional.ofNullable(value(p, "driverName")).orElse(DEFAULT_DRIVER_NAME),
        Optional.ofNullable(value(p, "nodeId")),
        Optional.ofNullable(value(p, "chapUser")),
        Optional.ofNullable(value(p, "chapSecret")),
        Optional.ofNullable(value(p, "waitTimeout")).map(Duration::parse).orElse(Duration.ofSeconds(120)));
  }

  private static String required(Properties p, String key) {
    String v = value(p, key);
    if (v == null) {
      throw new IllegalArgumentException(key + " is required");
    }
    return v;
  }

  private static String value(Properties p, String key) {
    String v = System.getProperty("strata.csi." + key, p.getProperty(key));
    return v == null || v.isBlank() ? null : v.trim();
  }
}
