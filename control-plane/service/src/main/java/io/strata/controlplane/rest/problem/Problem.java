package io.strata.controlplane.rest.problem;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An RFC 9457 problem details body. {@code type} is a URI naming the kind of problem (stable,
 * documented in docs/control-plane.md); {@code errors} names the offending fields of a request.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Problem {
  public static final String MEDIA_TYPE = "application/problem+json";
  public static final String TYPE_BASE = "https://strata.io/problems/";

  public String type;
  public String title;
  public int status;
  public String detail;
  public String instance;
  public List<FieldError> errors;
  private final Map<String, Object> extensions = new LinkedHashMap<>();

  public Problem() {}

  public Problem(int status, String slug, String title, String detail) {
    this.type = TYPE_BASE + slug;
    this.status = status;
    this.title = title;
    this.detail = detail;
  }

  public Problem with(String member, Object value) {
    extensions.put(member, value);
    return this;
  }

  @JsonAnyGetter
  public Map<String, Object> extensions() {
    return extensions;
  }

  public record FieldError(String field, String message) {}
}
