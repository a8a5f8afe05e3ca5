package io.strata.cli;

/**
 * What the {@code strata} command's exit status means, so that scripts can tell a missing object
 * from a conflict or a dead network without reading the message (docs/cli.md, "Exit codes").
 */
public enum ExitCode {
  OK(0, "success"),
  /** 400/413/414/422 from the API: the request itself was refused (the message names the field). */
  INVALID_REQUEST(1, "the API refused the request as invalid"),
  /** The command line did not parse (picocli's own usage error status). */
  USAGE(2, "usage error: unknown command or option, missing argument"),
  /** Not signed in, the session expired, 401 or 403. */
  AUTH(3, "not signed in, or not allowed"),
  NOT_FOUND(4, "not found (404)"),
  /** 409, 412 and 428: the object is in a state that forbids it, or changed meanwhile. */
  CONFLICT(5, "conflict: state, name taken, changed meanwhile (409/412/428)"),
  /** 5xx, no answer, connection refused, a timeout talking to a server. */
  SERVER_OR_NETWORK(6, "server error (5xx) or network failure"),
  /** --wait: the operation ended FAILED. */
  OPERATION_FAILED(7, "--wait: the operation failed"),
  /** --wait: the operation had not ended within --timeout. */
  WAIT_TIMED_OUT(8, "--wait: the operation did not end within --timeout");

  public final int code;
  public final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  /** The exit status for an HTTP error status of the API. */
  public static ExitCode forHttpStatus(int status) {
    return switch (status) {
      case 401, 403 -> AUTH;
      case 404, 410 -> NOT_FOUND;
      case 409, 412, 428 -> CONFLICT;
      default -> status >= 500 ? SERVER_OR_NETWORK : INVALID_REQUEST;
    };
  }
}
