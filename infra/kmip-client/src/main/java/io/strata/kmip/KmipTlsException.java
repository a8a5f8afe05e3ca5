package io.strata.kmip;

/**
 * The TCP connection was made but TLS failed or the server refused the client's certificate: the
 * certificate is not signed by a CA the server trusts or not made for client authentication, or the
 * server's certificate is not signed by the configured CA or does not name the host, or no
 * protocol version or cipher suite is common. Retrying does not help until the configuration
 * (certificates, CA) changes.
 */
public class KmipTlsException extends KmipException {
  public KmipTlsException(String message, Throwable cause) {
    super(message, cause);
  }
}
