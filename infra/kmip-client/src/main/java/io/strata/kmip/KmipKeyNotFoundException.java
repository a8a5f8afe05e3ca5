package io.strata.kmip;

/** The server has no key with this identifier (never created, destroyed, or another client's). */
public class KmipKeyNotFoundException extends KmipOperationException {
  private final String keyId;

  public KmipKeyNotFoundException(String operation, String keyId, String message) {
    super(operation, ResultReason.ITEM_NOT_FOUND, message);
    this.keyId = keyId;
  }

  public String keyId() {
    return keyId;
  }
}
