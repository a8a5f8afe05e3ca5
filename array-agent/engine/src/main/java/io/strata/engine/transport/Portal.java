package io.strata.engine.transport;

/**
 * One address the engine listens on. Each portal is its own target portal group (its tag is the
 * TPGT) and its own relative target port, so multipath and ALUA see one path per portal.
 */
public record Portal(String host, int port, int groupTag) {

  /** The TargetAddress value of SendTargets: {@code host:port,tpgt}, IPv6 in brackets. */
  public String targetAddress() {
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return h + ":" + port + "," + groupTag;
  }

  /** Parses {@code HOST:PORT} (IPv6 as {@code [addr]:port}). */
  public static Portal parse(String hostPort, int groupTag) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("expected HOST:PORT, got '" + hostPort + "'");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port is not a number in '" + hostPort + "'");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range in '" + hostPort + "'");
    }
    return new Portal(host, port, groupTag);
  }
}
