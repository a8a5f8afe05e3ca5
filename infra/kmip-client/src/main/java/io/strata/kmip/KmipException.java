package io.strata.kmip;

/**
 * Something a KMIP call could not do. The subclasses say what: the server could not be reached
 * ({@link KmipUnreachableException}), TLS was refused ({@link KmipTlsException}), the server
 * answered with a failure ({@link KmipOperationException} and its kinds), or the answer was not
 * valid KMIP ({@link KmipProtocolException}). No message ever contains key material.
 */
public class KmipException extends RuntimeException {
  public KmipException(String message) {
    super(message);
  }

  public KmipException(String message, Throwable cause) {
    super(message, cause);
  }
}
