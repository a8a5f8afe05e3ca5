package io.strata.billing.service;

/** A request that cannot be met, with the HTTP status and words the API answers with (RFC 9457). */
public class ProblemException extends RuntimeException {

  private final int status;
  private final String title;

  public ProblemException(int status, String title, String detail) {
    super(detail);
    this.status = status;
    this.title = title;
  }

  public static ProblemException notFound(String detail) {
    return new ProblemException(404, "Not found", detail);
  }

  public static ProblemException conflict(String detail) {
    return new ProblemException(409, "Conflict", detail);
  }

  public static ProblemException badRequest(String detail) {
    return new ProblemException(400, "Bad request", detail);
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }
}
