package io.strata.contracts;

/**
 * A message this build cannot read: malformed, of an unknown type, or of a payload version it
 * does not support. Receivers park such messages (log loudly, keep them for an operator) rather
 * than dropping them silently.
 */
public class UnreadableMessageException extends Exception {

  public UnreadableMessageException(String message) {
    super(message);
  }

  public UnreadableMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
