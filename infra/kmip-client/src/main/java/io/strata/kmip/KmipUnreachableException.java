package io.strata.kmip;

/**
 * The KMIP server could not be reached, or did not answer within the endpoint's timeout, or the
 * connection broke during a call. Retrying later may succeed; the client reconnects by itself on
 * its next call.
 */
public class KmipUnreachableException extends KmipException {
  public KmipUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
