package io.strata.console.timing;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * How long the server took to answer each page, from the request's arrival to the moment its
 * headers go out (sign-in check, the API calls and the template rendering, all of it): sent to
 * the browser as a standard {@code Server-Timing: render;dur=12.3} header, which the browser
 * tests read, and logged at DEBUG under {@code io.strata.console.timing}. Pages are rendered
 * whole before their headers are written, so the figure covers the full page.
 */
@ApplicationScoped
public class RenderTiming {

  public static final String HEADER = "Server-Timing";
  private static final Logger LOG = Logger.getLogger(RenderTiming.class);

  void install(@Observes Router router) {
    router.route().order(Integer.MIN_VALUE).handler(context -> {
      long start = System.nanoTime();
      context.addHeadersEndHandler(ignored -> {
        double millis = (System.nanoTime() - start) / 1_000_000.0;
        context.response().putHeader(HEADER, String.format(java.util.Locale.ROOT, "render;dur=%.1f", millis));
        if (LOG.isDebugEnabled()) {
          LOG.debugf("%s %s -> %d in %.1f ms", context.request().method(), context.request().path(),
              context.response().getStatusCode(), millis);
        }
      });
      context.next();
    });
  }
}
