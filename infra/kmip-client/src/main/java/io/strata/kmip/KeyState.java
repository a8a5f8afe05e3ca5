package io.strata.kmip;

/** A managed object's state in the KMS (KMIP 1.4, section 3.22), as Get Attributes reports it. */
public enum KeyState {
  PRE_ACTIVE(1),
  ACTIVE(2),
  DEACTIVATED(3),
  COMPROMISED(4),
  DESTROYED(5),
  DESTROYED_COMPROMISED(6);

  final int code;

  KeyState(int code) {
    this.code = code;
  }

  static KeyState of(int code) {
    for (KeyState state : values()) {
      if (state.code == code) return state;
    }
    throw new KmipProtocolException("the server reported an unknown key state " + code);
  }
}
