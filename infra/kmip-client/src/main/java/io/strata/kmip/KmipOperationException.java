package io.strata.kmip;

/**
 * The server answered an operation with a failure. {@link #reason()} is its Result Reason; the
 * message names the operation, the key's identifier and the server's Result Message.
 */
public class KmipOperationException extends KmipException {
  private final String operation;
  private final ResultReason reason;

  public KmipOperationException(String operation, ResultReason reason, String message) {
    super(message);
    this.operation = operation;
    this.reason = reason;
  }

  /** The KMIP operation that failed, e.g. {@code Decrypt}. */
  public String operation() {
    return operation;
  }

  public ResultReason reason() {
    return reason;
  }
}
