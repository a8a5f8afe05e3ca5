package io.strata.kmip;

/**
 * The key exists but is not ACTIVE, so the server refuses to wrap or unwrap with it: revoked
 * (DEACTIVATED, COMPROMISED: the tenant's kill switch) or never activated (PRE_ACTIVE).
 */
public class KmipKeyNotActiveException extends KmipOperationException {
  private final String keyId;
  private final KeyState state;

  public KmipKeyNotActiveException(String operation, String keyId, KeyState state, ResultReason reason) {
    super(operation, reason,
        operation + " with key " + keyId + " refused: the key is " + state + ", not ACTIVE"
            + (state == KeyState.DEACTIVATED || state == KeyState.COMPROMISED ? " (revoked)" : ""));
    this.keyId = keyId;
    this.state = state;
  }

  public String keyId() {
    return keyId;
  }

  public KeyState state() {
    return state;
  }
}
