package io.strata.console.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An error answer of the control plane or billing: their RFC 9457 problem details, or what the
 * console could tell when a service answered something else or not at all. Pages show {@link
 * #detail} and put each field error next to its field.
 */
public class ApiProblem extends RuntimeException {

  /** The problem details body, read leniently (unknown members are ignored). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Body(String type, String title, int status, String detail, List<FieldError> errors, String reason) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record FieldError(String field, String message) {}

  private final int status;
  private final String title;
  private final List<FieldError> errors;
  private final String reason;

  public ApiProblem(int status, String title, String detail, List<FieldError> errors) {
    this(status, title, detail, errors, null);
  }

  /** @param reason the control plane's machine-readable {@code reason} member, e.g. "attached"; may be null */
  public ApiProblem(int status, String title, String detail, List<FieldError> errors, String reason) {
    super(detail);
    this.status = status;
    this.title = title;
    this.errors = errors == null ? List.of() : List.copyOf(errors);
    this.reason = reason;
  }

  /** Why the control plane refused, as a word a page can act on (e.g. "attached"), or null. */
  public String reason() {
    return reason;
  }

  /** A service that could not be reached: the page says which, and what to try. */
  public static ApiProblem unreachable(String service, Throwable cause) {
    return new ApiProblem(
        503,
        service + " unavailable",
        service + " did not answer (" + rootMessage(cause) + "). Try again in a moment; "
            + "if it persists, the operator should check that " + service + " is running.",
        List.of());
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  public String detail() {
    return getMessage();
  }

  public List<FieldError> errors() {
    return errors;
  }

  /** Field errors by the form field they name; the last segment of a path like {@code create.arg0.name}. */
  public Map<String, String> fieldMessages() {
    return errors.stream()
        .filter(e -> e.field() != null)
        .collect(Collectors.toMap(e -> lastSegment(e.field()), FieldError::message, (a, b) -> a + "; " + b));
  }

  public boolean notFound() {
    return status == 404;
  }

  private static String lastSegment(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? path : path.substring(dot + 1);
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
