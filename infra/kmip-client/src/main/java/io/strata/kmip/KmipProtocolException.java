package io.strata.kmip;

/** Bytes that are not a valid KMIP message, or a response that lacks what the operation returns. */
public class KmipProtocolException extends KmipException {
  public KmipProtocolException(String message) {
    super(message);
  }

  public KmipProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
