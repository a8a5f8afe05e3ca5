package io.strata.console.web;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.UUID;

/**
 * The few htmx conventions the pages use: a form submitted by htmx is answered with the form
 * again (with errors) or with {@code HX-Redirect}; the same form submitted without JavaScript
 * gets the full page or a 303 redirect. Every page works without JavaScript; htmx makes it live.
 */
public final class Htmx {
  private Htmx() {}

  public static boolean isHtmx(HttpHeaders headers) {
    return "true".equals(headers.getHeaderString("HX-Request"));
  }

  /** After a successful change: go to {@code location} (a page of this console). */
  public static Response redirect(HttpHeaders headers, String location) {
    if (isHtmx(headers)) {
      return Response.ok().header("HX-Redirect", location).build();
    }
    return Response.seeOther(URI.create(location)).build();
  }

  /** A fresh key per submitted form: the API makes one object however often the form is retried. */
  public static String idempotencyKey(String fromForm) {
    return fromForm != null && !fromForm.isBlank() ? fromForm : UUID.randomUUID().toString();
  }
}
