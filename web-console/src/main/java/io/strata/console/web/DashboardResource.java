package io.strata.console.web;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.strata.console.api.ApiProblem;
import io.strata.console.api.BillingClient;
import io.strata.console.api.ControlPlane.ArrayView;
import io.strata.console.api.ControlPlane.CapacityView;
import io.strata.console.api.SideBySide;
import java.util.concurrent.CompletableFuture;
import io.strata.console.api.ControlPlane.Page;
import io.strata.console.api.ControlPlaneClient;
import io.strata.console.session.CurrentUser;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * The first screen after sign-in: for a tenant its arrays and their health, capacity used and the
 * cost so far this month; for an operator the fleet's capacity. Each panel fails on its own: a
 * service that does not answer leaves a note in its panel, not an error page.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class DashboardResource {

  @Inject Template dashboard;
  @Inject CurrentUser user;
  @Inject @RestClient ControlPlaneClient controlPlane;
  @Inject @RestClient BillingClient billing;
  @Inject SideBySide sideBySide;

  /** A panel's data, or why it could not be had. */
  public record Panel<T>(T data, String problem) {
    public boolean ok() {
      return problem == null;
    }
  }

  @GET
  public TemplateInstance show() {
    TemplateInstance page = dashboard.instance();
    // the panels' calls go out side by side: the page costs its slowest call, not their sum
    CompletableFuture<Panel<CapacityView>> capacity =
        user.isOperator() ? sideBySide.start(() -> panel("The control plane", controlPlane::capacity)) : null;
    if (user.isTenantUser()) {
      var arraysCall = sideBySide.start(() -> panel("The control plane", () -> controlPlane.arrays(null, 100, null)));
      var usage = sideBySide.start(() -> panel("The control plane", controlPlane::usage));
      var cost = sideBySide.start(() -> panel("Billing", billing::currentCost));
      Panel<Page<ArrayView>> arrays = SideBySide.join(arraysCall);
      page.data("arrays", arrays)
          .data("stateCounts", arrays.ok() ? countByState(arrays.data()) : Map.of())
          .data("usage", SideBySide.join(usage))
          .data("cost", SideBySide.join(cost));
    } else {
      page.data("arrays", null).data("stateCounts", Map.of()).data("usage", null).data("cost", null);
    }
    page.data("capacity", capacity == null ? null : SideBySide.join(capacity));
    return page;
  }

  static Map<String, Integer> countByState(Page<ArrayView> page) {
    Map<String, Integer> counts = new TreeMap<>();
    for (ArrayView a : page.items()) {
      counts.merge(a.state(), 1, Integer::sum);
    }
    return counts;
  }

  static <T> Panel<T> panel(String service, Supplier<T> call) {
    try {
      return new Panel<>(call.get(), null);
    } catch (ApiProblem p) {
      return new Panel<>(null, p.detail());
    } catch (ProcessingException e) {
      return new Panel<>(null, ApiProblem.unreachable(service, e).detail());
    }
  }
}
