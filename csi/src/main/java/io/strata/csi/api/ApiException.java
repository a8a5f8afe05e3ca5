package io.strata.csi.api;

import com.fasterxml.jackson.databind.JsonNode;

/** A control plane answer that is not a success: its status and problem document (RFC 9457). */
public final class ApiException extends RuntimeException {

  private final int status;
  private final JsonNode problem;

  public ApiException(int status, JsonNode problem, String request) {
    super(request + " answered " + status + ": " + describe(problem));
    this.status = status;
    this.problem = problem;
  }

  public int status() {
    return status;
  }

  /** The problem's kind: the last segment of its {@code type} ("pool-full", "not-found", ...). */
  public String kind() {
    String type = problem.path("type").asText("");
    return type.substring(type.lastIndexOf('/') + 1);
  }

  public JsonNode problem() {
    return problem;
  }

  private static String describe(JsonNode problem) {
    String detail = problem.path("detail").asText(problem.path("title").asText(""));
    return problem.path("type").asText("") + " " + detail;
  }
}
