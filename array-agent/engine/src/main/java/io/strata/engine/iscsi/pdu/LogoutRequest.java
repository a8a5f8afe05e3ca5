package io.strata.engine.iscsi.pdu;

/** Logout Request (RFC 7143 11.14). Reason 0 closes the session, 1 the connection. */
public record LogoutRequest(
    boolean immediate, int reason, int itt, int cid, int cmdSn, int expStatSn) implements Pdu {
  public static final int CLOSE_SESSION = 0;
  public static final int CLOSE_CONNECTION = 1;
  public static final int REMOVE_CONNECTION_FOR_RECOVERY = 2;

  public Opcode opcode() {
    return Opcode.LOGOUT_REQUEST;
  }
}
