package io.strata.console.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.strata.console.api.Billing.HourlyUsage;
import io.strata.console.api.BillingClient;
import io.strata.console.api.ControlPlaneClient;
import io.strata.console.api.SideBySide;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** Usage and cost: the month's cost so far with its lines, and a Chart.js chart of daily usage by resource over 30 days. */
@Path("/usage")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({"tenant-admin", "tenant-member"})
public class UsageResource {

  @Inject Template usage;
  @Inject ObjectMapper json;
  @Inject @RestClient BillingClient billing;
  @Inject @RestClient ControlPlaneClient controlPlane;
  @Inject io.strata.console.api.SideBySide sideBySide;

  @GET
  public TemplateInstance show() throws JsonProcessingException {
    LocalDate to = LocalDate.now(java.time.ZoneOffset.UTC);
    LocalDate from = to.minusDays(29);
    var cost = sideBySide.start(() -> DashboardResource.panel("Billing", billing::currentCost));
    var tenantUsage = sideBySide.start(() -> DashboardResource.panel("The control plane", controlPlane::usage));
    var points = DashboardResource.panel("Billing", () -> billing.hourlyUsage(
        from.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toString(),
        to.plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toString()));
    return usage.data("cost", SideBySide.join(cost))
        .data("usage", SideBySide.join(tenantUsage))
        .data("chartProblem", points.problem())
        .data("chart", points.ok() ? json.writeValueAsString(chartData(points.data(), from, to)) : "{}")
        .data("empty", points.ok() && points.data().isEmpty());
  }

  /** Chart.js "data": one label per day, one dataset per resource (with its unit), summed per day. */
  static Map<String, Object> chartData(List<HourlyUsage> points, LocalDate from, LocalDate to) {
    List<String> days = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      days.add(d.toString());
    }
    Map<String, BigDecimal[]> byResource = new TreeMap<>();
    for (HourlyUsage p : points) {
      if (p.hour() == null) {
        continue;
      }
      LocalDate day = LocalDate.ofInstant(p.hour(), java.time.ZoneOffset.UTC);
      if (day.isBefore(from) || day.isAfter(to)) {
        continue;
      }
      String label = (p.resource() == null ? "other" : p.resource()) + (p.unit() == null ? "" : " (" + p.unit() + ")");
      BigDecimal[] series = byResource.computeIfAbsent(label, r -> zeros(days.size()));
      int i = days.indexOf(day.toString());
      series[i] = series[i].add(p.quantity() == null ? BigDecimal.ZERO : p.quantity());
    }
    List<Map<String, Object>> datasets = new ArrayList<>();
    byResource.forEach((resource, series) -> {
      Map<String, Object> ds = new LinkedHashMap<>();
      ds.put("label", resource);
      ds.put("data", series);
      datasets.add(ds);
    });
    return Map.of("labels", days, "datasets", datasets);
  }

  private static BigDecimal[] zeros(int n) {
    BigDecimal[] a = new BigDecimal[n];
    java.util.Arrays.fill(a, BigDecimal.ZERO);
    return a;
  }
}
