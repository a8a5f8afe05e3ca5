package io.strata.controlplane.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.strata.controlplane.rest.problem.Problem;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A body or URI over the limit answers 413 or 414 with a problem document like every other error
 * (Quarkus's own 413 and Netty's 414 have no body). This route runs before Quarkus's body-size
 * check (order -2) and refuses by Content-Length with the same limit; the URI limit is ours,
 * below the HTTP decoder's line limit (quarkus.http.limits.max-initial-line-length), so that
 * Netty's bare 414 is only for URIs far beyond it.
 */
@ApplicationScoped
public class HttpLimits {
  @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
  MemorySize maxBodySize;

  @ConfigProperty(name = "strata.api.max-uri-length", defaultValue = "8192")
  int maxUriLength;

  @Inject ObjectMapper json;

  void install(@Observes Router router) {
    router.route().order(-3).handler(this::check);
  }

  void check(RoutingContext ctx) {
    String uri = ctx.request().uri();
    if (uri.length() > maxUriLength) {
      refuse(ctx, 414, "uri-too-long", "URI Too Long", "uri",
          "must be at most " + maxUriLength + " characters; send fewer or shorter query parameters");
      return;
    }
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    long limit = maxBodySize.asLongValue();
    if (length != null && isLongerThan(length, limit)) {
      refuse(ctx, 413, "content-too-large", "Content Too Large", "body", "must be at most " + limit + " bytes");
      return;
    }
    ctx.next();
  }

  private static boolean isLongerThan(String contentLength, long limit) {
    try {
      return Long.parseLong(contentLength.trim()) > limit;
    } catch (NumberFormatException e) {
      return false; // the HTTP decoder refuses a malformed Content-Length itself
    }
  }

  private void refuse(RoutingContext ctx, int status, String slug, String title, String field, String message) {
    Problem p = new Problem(status, slug, title, field + ": " + message);
    p.errors = List.of(new Problem.FieldError(field, message));
    String body;
    try {
      body = json.writeValueAsString(p);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
        // the body was not read: the connection cannot carry another request
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(body);
  }
}
