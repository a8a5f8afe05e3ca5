package io.strata.controlplane.rest;

import io.strata.controlplane.rest.dto.Names;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.service.Idempotency;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Text that arrives outside the JSON body, checked before any resource sees it: query
 * parameters (list filters, cursors), path segments and the Idempotency-Key header. A control
 * character (a NUL would fail in PostgreSQL), broken percent-encoding or an empty
 * Idempotency-Key is a 400 naming the parameter.
 */
public class RequestText {

  @ServerRequestFilter(preMatching = true)
  public void check(ContainerRequestContext request) {
    checkQuery(request.getUriInfo().getRequestUri().getRawQuery());
    checkPath(request.getUriInfo().getRequestUri().getRawPath());
    checkIdempotencyKey(request.getHeaders().get(Idempotency.HEADER));
  }

  static void checkQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String rawName = eq < 0 ? pair : pair.substring(0, eq);
      String name = decode(rawName, "query");
      requirePlain(name, "query", "a parameter name");
      if (eq >= 0) {
        requirePlain(decode(pair.substring(eq + 1), name), name, "its value");
      }
    }
  }

  static void checkPath(String rawPath) {
    if (rawPath == null) {
      return;
    }
    for (String segment : rawPath.split("/")) {
      // '+' is a literal in a path; URLDecoder would read it as a space, which is harmless here
      requirePlain(decode(segment, "path"), "path", "a path segment");
    }
  }

  static void checkIdempotencyKey(List<String> values) {
    if (values == null) {
      return;
    }
    if (values.size() != 1) {
      throw ApiException.badRequest(Idempotency.HEADER, "send it once");
    }
    String key = values.get(0);
    if (key == null || key.isBlank() || key.length() > 255) {
      throw ApiException.badRequest(Idempotency.HEADER, "must be 1 to 255 characters");
    }
    requirePlain(key, Idempotency.HEADER, "it");
  }

  private static String decode(String raw, String field) {
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(field, "broken percent-encoding");
    }
  }

  private static void requirePlain(String text, String field, String what) {
    if (!Names.isPlainText(text)) {
      throw ApiException.badRequest(field, what + " " + Names.PLAIN_TEXT_MESSAGE);
    }
  }
}
