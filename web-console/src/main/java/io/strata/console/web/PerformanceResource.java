package io.strata.console.web;

import io.strata.console.api.ControlPlaneClient;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * The performance charts of a volume, array or pool page: an htmx fragment the page loads and
 * refreshes every 30 s ({@code hx-trigger="load, every 30s"}), drawn by {@link PerformanceCharts}.
 */
@Path("/performance")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({"tenant-admin", "tenant-member"})
public class PerformanceResource {

  private static final Set<String> KINDS = Set.of("volumes", "arrays", "pools");
  /** The ranges a page offers and the step each is drawn at (at most 360 points). */
  static final Map<String, Duration> STEPS = Map.of("1h", Duration.ofMinutes(1), "6h", Duration.ofMinutes(1),
      "24h", Duration.ofMinutes(5), "7d", Duration.ofMinutes(30));
  private static final Map<String, Duration> RANGES = Map.of("1h", Duration.ofHours(1), "6h", Duration.ofHours(6),
      "24h", Duration.ofDays(1), "7d", Duration.ofDays(7));

  @Inject @RestClient ControlPlaneClient controlPlane;

  @GET
  @Path("/{kind}/{id}")
  public String charts(@PathParam("kind") String kind, @PathParam("id") UUID id, @QueryParam("range") String range) {
    if (!KINDS.contains(kind)) {
      throw new NotFoundException();
    }
    String r = range != null && RANGES.containsKey(range) ? range : "1h";
    Instant from = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(RANGES.get(r));
    return PerformanceCharts.html(controlPlane.performance(kind, id, from.toString(),
        String.valueOf(STEPS.get(r).toSeconds())));
  }
}
