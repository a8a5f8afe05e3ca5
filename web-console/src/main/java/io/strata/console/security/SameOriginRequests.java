package io.strata.console.security;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The console's defence against cross-site request forgery: every request that may change
 * something (any method but GET, HEAD and OPTIONS) must come from a page of the console itself,
 * as its {@code Origin} header says (browsers send it with every POST, form or script), or, for
 * a client that sends none, its {@code Referer}. A request from another origin, from an opaque
 * one ({@code Origin: null}: sandboxed frames, data: pages) or with neither header is refused
 * with 403 before it is signed in, routed or read. The session cookie's SameSite=Lax is the
 * second line, not the only one.
 *
 * <p>The console's own origin is the request's scheme and Host, or {@code strata.console.origin}
 * when a proxy in front of it changes those.
 */
@ApplicationScoped
public class SameOriginRequests {
  private static final Logger LOG = Logger.getLogger(SameOriginRequests.class);
  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  @ConfigProperty(name = "strata.console.origin")
  Optional<String> configuredOrigin;

  void install(@Observes Router router) {
    // right after RenderTiming, before authentication and every page
    router.route().order(Integer.MIN_VALUE + 1).handler(this::check);
  }

  private void check(RoutingContext context) {
    var request = context.request();
    String own = configuredOrigin.map(SameOriginRequests::originOf)
        .orElseGet(() -> request.scheme() + "://" + request.getHeader("Host"));
    if (allowed(request.method().name(), request.getHeader("Origin"), request.getHeader("Referer"), own)) {
      context.next();
      return;
    }
    LOG.debugf("refused a cross-site %s %s (Origin %s)", request.method(), request.path(), request.getHeader("Origin"));
    context.response().setStatusCode(403)
        .putHeader("Content-Type", "text/plain; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .end("403 Forbidden: this request did not come from a page of the Strata console.\n");
  }

  /** Whether a request with these headers may go on to the console whose origin is {@code own}. */
  public static boolean allowed(String method, String origin, String referer, String own) {
    if (SAFE_METHODS.contains(method.toUpperCase(java.util.Locale.ROOT))) {
      return true;
    }
    String expected = originOf(own);
    if (origin != null) {
      return expected != null && expected.equals(originOf(origin));
    }
    if (referer != null) {
      return expected != null && expected.equals(originOf(referer));
    }
    return false;
  }

  /** "scheme://host[:port]" of a URL, lower case, default ports left out; null if it is not one. */
  static String originOf(String url) {
    try {
      URI uri = new URI(url.trim());
      String scheme = uri.getScheme();
      String host = uri.getHost();
      if (scheme == null || host == null) {
        return null;
      }
      scheme = scheme.toLowerCase(java.util.Locale.ROOT);
      int port = uri.getPort();
      boolean defaultPort = port == -1 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
      return scheme + "://" + host.toLowerCase(java.util.Locale.ROOT) + (defaultPort ? "" : ":" + port);
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }
}
