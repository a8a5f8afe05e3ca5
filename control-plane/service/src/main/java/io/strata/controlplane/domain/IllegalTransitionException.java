package io.strata.controlplane.domain;

/** A request asked an object to move to a state its lifecycle does not allow from where it is. */
public final class IllegalTransitionException extends RuntimeException {
  private final String objectKind;
  private final String from;
  private final String to;
  private final String reason;

  public IllegalTransitionException(String objectKind, String from, String to, String reason) {
    super(objectKind + " cannot go from " + from + " to " + to + ": " + reason);
    this.objectKind = objectKind;
    this.from = from;
    this.to = to;
    this.reason = reason;
  }

  public String objectKind() {
    return objectKind;
  }

  public String from() {
    return from;
  }

  public String to() {
    return to;
  }

  public String reason() {
    return reason;
  }
}
