package io.strata.billing.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem details body, served as {@code application/problem+json}. {@code errors}
 * names the offending fields or parameters of a request, in the same shape as the control plane's
 * problems ({@code [{"field": ..., "message": ...}]}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {

  public static final String MEDIA_TYPE = "application/problem+json";

  /** One field or parameter of the request and what is wrong with it. */
  public record FieldError(String field, String message) {}
}
