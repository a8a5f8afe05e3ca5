package io.strata.billing.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Too long a URI (414) and too large a body (413) are refused with problem documents, like every
 * other error, before Vert.x's own limits would answer them with an empty body. Vert.x's line
 * limit ({@code quarkus.http.limits.max-initial-line-length}) is set well above {@link #MAX_URI}
 * so that this check is the one that answers; a request line beyond even that still gets
 * Vert.x's bare 414, as does a chunked body over the limit its bare 413.
 */
@ApplicationScoped
public class RequestLimits {

  /** The longest request URI billing reads; its longest real URI is far shorter. */
  static final int MAX_URI = 4096;

  /** Before Quarkus's own body size check ({@code RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT}, -2). */
  private static final int ORDER = -3;

  @Inject ObjectMapper json;

  @ConfigProperty(name = "quarkus.http.limits.max-body-size")
  MemorySize maxBodySize;

  void install(@Observes Router router) {
    router.route().order(ORDER).handler(this::check);
  }

  private void check(RoutingContext context) {
    String uri = context.request().uri();
    if (uri.length() > MAX_URI) {
      refuse(context, 414, "URI Too Long", "uri", "the request URI is longer than " + MAX_URI + " characters");
      return;
    }
    String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > maxBodySize.asLongValue()) {
      refuse(context, 413, "Content Too Large", "body", "the request body is larger than " + maxBodySize.asLongValue() + " bytes");
      return;
    }
    context.next();
  }

  private void refuse(RoutingContext context, int status, String title, String field, String message) {
    Problem problem = new Problem("about:blank", title, status, field + ": " + message, null,
        List.of(new Problem.FieldError(field, message)));
    String body;
    try {
      body = json.writeValueAsString(problem);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      body = "{\"status\":" + status + "}";
    }
    context.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(body);
  }
}
