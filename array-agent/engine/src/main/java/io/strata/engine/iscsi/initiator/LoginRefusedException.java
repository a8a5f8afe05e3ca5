package io.strata.engine.iscsi.initiator;

import java.io.IOException;

/**
 * The target answered a Login Request with a non-zero status (RFC 7143 11.13.5): class 2 is the
 * initiator's fault (wrong CHAP, not allowed, no such target), class 3 the target's.
 */
public final class LoginRefusedException extends IOException {
  private final int statusClass;
  private final int statusDetail;

  LoginRefusedException(String target, int statusClass, int statusDetail) {
    this(target, statusClass, statusDetail, null);
  }

  /** {@code why}: what the refusal most likely means here, or null. */
  LoginRefusedException(String target, int statusClass, int statusDetail, String why) {
    super("login to " + target + " refused: " + describe(statusClass, statusDetail)
        + String.format(" (status 0x%02x%02x)", statusClass, statusDetail)
        + (why == null ? "" : ": " + why));
    this.statusClass = statusClass;
    this.statusDetail = statusDetail;
  }

  public int statusClass() {
    return statusClass;
  }

  public int statusDetail() {
    return statusDetail;
  }

  /** Wrong or missing CHAP credentials. */
  public boolean authenticationFailure() {
    return statusClass == 2 && statusDetail == 1;
  }

  private static String describe(int cls, int detail) {
    if (cls == 2) {
      return switch (detail) {
        case 1 -> "authentication failed (wrong CHAP user or secret)";
        case 2 -> "this initiator is not allowed to log in";
        case 3 -> "no such target";
        case 4 -> "the target was removed";
        case 7 -> "a required parameter is missing";
        default -> "initiator error";
      };
    }
    if (cls == 3) {
      return detail == 2 ? "the target is out of resources" : "target error";
    }
    if (cls == 1) {
      return "the target moved (redirection is not followed)";
    }
    return "unknown status";
  }
}
