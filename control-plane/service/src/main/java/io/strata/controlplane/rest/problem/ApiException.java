package io.strata.controlplane.rest.problem;

import java.util.List;

/** An error the API answers with a problem details body. */
public class ApiException extends RuntimeException {
  private final transient Problem problem;

  public ApiException(Problem problem) {
    super(problem.detail);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }

  public static ApiException notFound(String kind, Object id) {
    return new ApiException(new Problem(404, "not-found", "Not found", kind + " " + id + " does not exist"));
  }

  public static ApiException conflict(String slug, String detail) {
    return new ApiException(new Problem(409, slug, "Conflict", detail));
  }

  /** A conflict with the state of other objects that is about one field of the request (409). */
  public static ApiException conflictOnField(String slug, String field, String message) {
    Problem p = new Problem(409, slug, "Conflict", field + ": " + message);
    p.errors = List.of(new Problem.FieldError(field, message));
    return new ApiException(p);
  }

  public static ApiException forbidden(String slug, String detail) {
    return new ApiException(new Problem(403, slug, "Forbidden", detail));
  }

  /** A request whose fields are each valid but do not make sense together (422). */
  public static ApiException invalidField(String field, String message) {
    Problem p = new Problem(422, "invalid-request", "Invalid request", field + ": " + message);
    p.errors = List.of(new Problem.FieldError(field, message));
    return new ApiException(p);
  }

  public static ApiException badRequest(String field, String message) {
    Problem p = new Problem(400, "invalid-request", "Invalid request", field + ": " + message);
    p.errors = List.of(new Problem.FieldError(field, message));
    return new ApiException(p);
  }

  public static ApiException preconditionRequired() {
    return new ApiException(
        new Problem(428, "if-match-required", "Precondition required",
            "send If-Match with the ETag of the object you read, to avoid overwriting another change"));
  }

  public static ApiException preconditionFailed(long current) {
    return new ApiException(
        new Problem(412, "etag-mismatch", "Precondition failed",
            "the object changed since you read it; its ETag is now \"" + current + "\"")
            .with("currentEtag", "\"" + current + "\""));
  }
}
