package io.strata.console.web;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.strata.console.api.ApiProblem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The Retry button of a FAILED array, volume, snapshot or attachment (tag {@code tags/retry.html};
 * docs/control-plane.md, "The way back from FAILED"). Accepted (202 and an operation), the
 * console goes to the object's page, which follows the object's new in-progress state as it
 * follows any asynchronous change. Refused (409: not FAILED, its array does not accept changes,
 * nothing left to retry), htmx gets the button again with the control plane's own detail beside
 * it; without JavaScript the error page says the same.
 */
@ApplicationScoped
public class RetryButton {

  @Inject
  @Location("tags/retry.html")
  Template button;

  /**
   * @param kind the API's collection ({@code volumes}); the form posts to {@code /{kind}/{id}/retry}
   * @param retry the control plane's retry call
   * @param then the console page that shows the retried object
   */
  Response post(HttpHeaders headers, String kind, UUID id, Supplier<Response> retry, Supplier<String> then) {
    try {
      retry.get().close();
    } catch (ApiProblem problem) {
      if (!Htmx.isHtmx(headers)) {
        throw problem;
      }
      return Response.ok(button.data("kind", kind).data("id", id).data("problem", problem.detail()).render(),
          MediaType.TEXT_HTML_TYPE).build();
    }
    return Htmx.redirect(headers, then.get());
  }
}
