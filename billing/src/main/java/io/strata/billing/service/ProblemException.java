package io.strata.billing.service;

import io.strata.billing.rest.Problem.FieldError;
import java.util.List;

/**
 * A request that cannot be met, with the HTTP status and words the API answers with (RFC 9457),
 * and the fields or parameters it concerns, if any.
 */
public class ProblemException extends RuntimeException {

  private final int status;
  private final String title;
  private final List<FieldError> errors;

  public ProblemException(int status, String title, String detail) {
    this(status, title, detail, null);
  }

  private ProblemException(int status, String title, String detail, List<FieldError> errors) {
    super(detail);
    this.status = status;
    this.title = title;
    this.errors = errors;
  }

  public static ProblemException notFound(String detail) {
    return new ProblemException(404, "Not found", detail);
  }

  /** Nothing is known of what {@code field} names: {@code field: message}, with the field in {@code errors}. */
  public static ProblemException notFound(String field, String message) {
    return new ProblemException(404, "Not found", field + ": " + message, List.of(new FieldError(field, message)));
  }

  public static ProblemException conflict(String detail) {
    return new ProblemException(409, "Conflict", detail);
  }

  /** The request's {@code field} conflicts with what exists: {@code field: message}, with the field in {@code errors}. */
  public static ProblemException conflict(String field, String message) {
    return new ProblemException(409, "Conflict", field + ": " + message, List.of(new FieldError(field, message)));
  }

  /** A field or parameter of the request is invalid: {@code field: message}, with the field in {@code errors}. */
  public static ProblemException badRequest(String field, String message) {
    return new ProblemException(400, "Invalid request", field + ": " + message, List.of(new FieldError(field, message)));
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** The fields or parameters concerned, or null. */
  public List<FieldError> errors() {
    return errors;
  }
}
