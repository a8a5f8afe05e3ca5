package io.strata.controlplane.kms;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.strata.kmip.PyKmipServer;
import java.util.Map;

/**
 * A real PyKMIP server of the test's own (infra/bin/kmip, in target/kmip-it, on a free port), and
 * the control plane's {@code strata.kms.*} pointed at it.
 */
public class PyKmipTestResource implements QuarkusTestResourceLifecycleManager {
  private static PyKmipServer server;

  @Override
  public Map<String, String> start() {
    server = PyKmipServer.start();
    return Map.of(
        "strata.kms.host", "127.0.0.1",
        "strata.kms.port", Integer.toString(server.port()),
        "strata.kms.ca", server.tls("ca.crt").toString(),
        "strata.kms.certificate", server.tls("client.crt").toString(),
        "strata.kms.key", server.tls("client.key").toString());
  }

  /** The server the running test's control plane uses. */
  public static PyKmipServer server() {
    return server;
  }

  @Override
  public void stop() {
    if (server != null) {
      server.close();
    }
  }
}
