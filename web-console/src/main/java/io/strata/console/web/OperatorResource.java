package io.strata.console.web;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.strata.console.api.ApiProblem;
import io.strata.console.api.BillingClient;
import io.strata.console.api.ControlPlane.NodeView;
import io.strata.console.api.ControlPlane.Quota;
import io.strata.console.api.ControlPlane.TenantAdmin;
import io.strata.console.api.ControlPlane.TenantCreate;
import io.strata.console.api.ControlPlaneClient;
import io.strata.console.api.SideBySide;
import io.strata.console.forms.FormErrors;
import io.strata.console.forms.Forms;
import io.strata.console.forms.Forms.PlanForm;
import io.strata.console.forms.Forms.TenantForm;
import io.strata.console.api.Billing.NewPlan;
import io.strata.console.api.Billing.NewPlanVersion;
import java.time.LocalDate;
import java.time.ZoneOffset;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.resteasy.reactive.RestForm;

/** The operator's screens: nodes and capacity, tenants and quotas, price plans, invoices. */
@Path("/operator")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed("operator")
public class OperatorResource {

  @Inject Template nodes;
  @Inject Template fleet;
  @Inject Template tenants;
  @Inject Template plans;
  @Inject Template invoices;
  @Inject FormErrors formErrors;
  @Inject @RestClient ControlPlaneClient controlPlane;
  @Inject io.strata.console.api.SideBySide sideBySide;
  @Inject @RestClient BillingClient billing;

  @GET
  @Path("/nodes")
  public TemplateInstance nodes(@QueryParam("cursor") String cursor) {
    var capacity = sideBySide.start(controlPlane::capacity);
    return nodes.data("page", controlPlane.nodes(cursor, 100)).data("capacity", SideBySide.join(capacity))
        .data("now", Instant.now()).data("cursor", cursor == null ? "" : cursor).data("base", "/operator/nodes?");
  }

  /**
   * Every tenant's arrays, filtered by tenant alias, state and node, 50 a page. A filter that
   * cannot be right gets its message beside it (the console's check, or the control plane's own
   * message when it refuses one), over an empty list; the nodes for the node filter come from the
   * capacity call, made side by side with the list.
   */
  @GET
  @Path("/arrays")
  public Response fleetArrays(@QueryParam("tenant") String tenant, @QueryParam("state") String state,
      @QueryParam("node") String node, @QueryParam("cursor") String cursor) {
    String t = trimmed(tenant);
    String s = trimmed(state);
    String n = trimmed(node);
    String c = trimmed(cursor);
    var nodesCall = sideBySide.start(() -> DashboardResource.panel("The control plane", controlPlane::capacity));
    Map<String, String> errors = new java.util.LinkedHashMap<>();
    if (s != null && !Choices.arrayStates.contains(s) && !"DELETED".equals(s)) {
      errors.put("state", "not an array state: choose one of " + String.join(", ", Choices.arrayStates) + " or DELETED");
    }
    UUID nodeId = null;
    if (n != null) {
      try {
        nodeId = UUID.fromString(n);
      } catch (IllegalArgumentException e) {
        errors.put("node", "choose a node from the list");
      }
    }
    StringBuilder base = new StringBuilder("/operator/arrays?");
    for (var filter : new String[][] {{"tenant", t}, {"state", s}, {"node", n}}) {
      if (filter[1] != null) {
        base.append(filter[0]).append('=')
            .append(java.net.URLEncoder.encode(filter[1], java.nio.charset.StandardCharsets.UTF_8)).append('&');
      }
    }
    io.strata.console.api.ControlPlane.Page<io.strata.console.api.ControlPlane.FleetArrayView> list =
        new io.strata.console.api.ControlPlane.Page<>(java.util.List.of(), null);
    String problem = null;
    if (errors.isEmpty()) {
      try {
        list = controlPlane.fleetArrays(c, 50, t, s, nodeId);
      } catch (ApiProblem refused) {
        if (refused.status() != 400) {
          throw refused;
        }
        errors.putAll(refused.fieldMessages());
        problem = refused.detail();
      }
    }
    var nodes = SideBySide.join(nodesCall);
    String page = fleet.data("page", list).data("errors", errors).data("problem", problem)
        .data("nodes", nodes.ok() ? nodes.data().nodes() : java.util.List.of())
        .data("tenant", t == null ? "" : t).data("state", s == null ? "" : s).data("node", n == null ? "" : n)
        .data("cursor", c == null ? "" : c).data("base", base.toString())
        .data("filtered", t != null || s != null || n != null).render();
    return Response.status(errors.isEmpty() ? 200 : 400).type(MediaType.TEXT_HTML_TYPE).entity(page).build();
  }

  private static String trimmed(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  /** "12 s ago", "3 min ago", or "never": how stale a node's last heartbeat is ({node.heartbeatAge(now)}). */
  @io.quarkus.qute.TemplateExtension
  public static String heartbeatAge(NodeView node, Instant now) {
    if (node.lastHeartbeatAt() == null) {
      return "never";
    }
    long s = Math.max(0, Duration.between(node.lastHeartbeatAt(), now).getSeconds());
    if (s < 120) {
      return s + " s ago";
    }
    return s < 7200 ? (s / 60) + " min ago" : (s / 3600) + " h ago";
  }

  @GET
  @Path("/tenants")
  public TemplateInstance tenants(@QueryParam("cursor") String cursor) {
    TenantForm form = new TenantForm();
    form.maxArrays = "5";
    form.maxSsdDrives = "16";
    form.maxHddDrives = "32";
    form.maxCapacityGib = "100000";
    return tenantsPage(cursor, form, Map.of());
  }

  private TemplateInstance tenantsPage(String cursor, TenantForm form, Map<String, String> errors) {
    var page = controlPlane.tenants(cursor, 50);
    return tenants.data("page", page).data("costs", costsOf(page)).data("cursor", cursor == null ? "" : cursor)
        .data("base", "/operator/tenants?").data("form", form).data("errors", errors)
        .data("key", UUID.randomUUID().toString());
  }

  /** Each listed tenant's cost so far this month, as text ("12.34 EUR"), or why it is not known. */
  private Map<String, String> costsOf(io.strata.console.api.ControlPlane.Page<io.strata.console.api.ControlPlane.TenantView> page) {
    Map<String, String> costs = new java.util.HashMap<>();
    if (page.isEmpty()) {
      return costs;
    }
    // one billing call per tenant on the page, side by side
    Map<String, java.util.concurrent.CompletableFuture<String>> calls = new java.util.LinkedHashMap<>();
    for (var t : page.items()) {
      calls.put(t.alias(), sideBySide.start(() -> costText(t.alias())));
    }
    calls.forEach((alias, call) -> costs.put(alias, SideBySide.join(call)));
    return costs;
  }

  private String costText(String alias) {
    try {
      var cost = billing.tenantCost(alias);
      return cost.total() + " " + cost.currency();
    } catch (ApiProblem p) {
      // billing knows a tenant from its first usage, invoice or plan: before that it owes nothing
      return p.status() == 404 ? "no usage yet" : "not known: " + p.detail();
    } catch (jakarta.ws.rs.ProcessingException e) {
      return "not known: " + ApiProblem.unreachable("Billing", e).detail();
    }
  }

  @POST
  @Path("/tenants")
  public Response createTenant(@BeanParam TenantForm form, @RestForm String key, @Context HttpHeaders headers) {
    return Submit.form(headers, formErrors.check(form), () -> {
      controlPlane.createTenant(Htmx.idempotencyKey(key), new TenantCreate(form.alias, form.displayName,
          new TenantAdmin(form.adminUsername, form.adminEmail, form.adminPassword), quotaOf(form))).close();
      return "/operator/tenants";
    }, (errors, fragment) -> tenantsPage(null, form, errors).data("key", key).render());
  }

  @POST
  @Path("/tenants/{id}/quota")
  public Response setQuota(@PathParam("id") UUID id, @BeanParam TenantForm form, @Context HttpHeaders headers) {
    Response current = controlPlane.quota(id);
    String etag = current.getHeaderString("ETag");
    current.close();
    controlPlane.updateQuota(id, etag, quotaOf(form)).close();
    return Htmx.redirect(headers, "/operator/tenants");
  }

  private static Quota quotaOf(TenantForm form) {
    return new Quota(Forms.intOrNull(form.maxArrays), Forms.intOrNull(form.maxSsdDrives),
        Forms.intOrNull(form.maxHddDrives), Forms.longOrNull(form.maxCapacityGib));
  }

  @GET
  @Path("/plans")
  public TemplateInstance plans() {
    PlanForm form = new PlanForm();
    form.currency = "EUR";
    form.effectiveFrom = firstOfThisMonth().toString();
    return plansPage(form, Map.of());
  }

  private TemplateInstance plansPage(PlanForm form, Map<String, String> errors) {
    PlanForm rates = new PlanForm();
    rates.effectiveFrom = LocalDate.now(ZoneOffset.UTC).toString();
    return plans.data("plans", DashboardResource.panel("Billing", billing::plans)).data("form", form)
        .data("errors", errors).data("rates", rates);
  }

  private static LocalDate firstOfThisMonth() {
    return LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
  }

  private static Instant startOf(String day) {
    return LocalDate.parse(day).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** A new price plan with its first rates; billing's own message shows when it refuses. */
  @POST
  @Path("/plans")
  public Response createPlan(@BeanParam PlanForm form, @Context HttpHeaders headers) {
    Map<String, String> errors = new java.util.LinkedHashMap<>(formErrors.check(form));
    if (Forms.blankToNull(form.name) == null) {
      errors.put("name", "give the plan a name");
    }
    if (Forms.blankToNull(form.currency) == null) {
      errors.put("currency", "give the plan's currency, e.g. EUR");
    }
    if (errors.isEmpty() && form.rates().isEmpty()) {
      errors.put(FormErrors.FORM, "give at least one rate");
    }
    return Submit.form(headers, errors, () -> {
      billing.createPlan(new NewPlan(form.name.trim(), form.currency.trim(), Forms.checked(form.isDefault),
          startOf(form.effectiveFrom), form.rates()));
      return "/operator/plans";
    }, (problems, fragmentOnly) -> fragmentOnly
        ? plans.getFragment("create").data("form", form).data("errors", problems).render()
        : plansPage(form, problems).render());
  }

  /** New rates for a plan from a given day on: usage before that day keeps the rates it had. */
  @POST
  @Path("/plans/{id}/versions")
  public Response addRates(@PathParam("id") long id, @BeanParam PlanForm form, @Context HttpHeaders headers) {
    Map<String, String> errors = new java.util.LinkedHashMap<>(formErrors.check(form));
    if (errors.isEmpty() && form.rates().isEmpty()) {
      errors.put(FormErrors.FORM, "give at least one rate");
    }
    if (!errors.isEmpty()) {
      throw new ApiProblem(400, "The new rates were not saved", String.join("; ", errors.values()), null);
    }
    billing.addPlanVersion(id, new NewPlanVersion(startOf(form.effectiveFrom), form.rates()));
    return Htmx.redirect(headers, "/operator/plans");
  }

  @POST
  @Path("/plans/{id}/default")
  public Response makeDefault(@PathParam("id") long id, @Context HttpHeaders headers) {
    billing.makeDefault(id);
    return Htmx.redirect(headers, "/operator/plans");
  }

  @GET
  @Path("/invoices")
  public TemplateInstance invoices(@QueryParam("period") String period, @QueryParam("page") String cursor,
      @QueryParam("closed") String closed, @QueryParam("problems") String problems) {
    String p = period == null || period.isBlank() ? null : period;
    int pageNo = parsePage(cursor);
    return invoices.data("invoices", DashboardResource.panel("Billing", () -> billing.invoices(p, pageNo, 50)))
        .data("pageNo", pageNo)
        .data("period", p == null ? "" : p)
        .data("lastMonth", YearMonth.now(java.time.ZoneOffset.UTC).minusMonths(1).toString())
        .data("closed", closed == null ? "" : closed)
        .data("problems", problems == null ? "" : problems)
        .data("base", p == null ? "/operator/invoices?" : "/operator/invoices?period=" + p + "&");
  }

  @POST
  @Path("/invoices/close")
  public Response closePeriod(@RestForm String period, @Context HttpHeaders headers) {
    if (period == null || !period.matches("\\d{4}-\\d{2}")) {
      throw new ApiProblem(400, "Not a month", "Give the month to close as YYYY-MM, e.g. "
          + YearMonth.now(java.time.ZoneOffset.UTC).minusMonths(1), null);
    }
    long problems = billing.closePeriod(period).stream().filter(o -> o.problem() != null).count();
    return Htmx.redirect(headers, "/operator/invoices?period=" + period + "&closed=" + period
        + (problems > 0 ? "&problems=" + problems : ""));
  }

  static int parsePage(String page) {
    try {
      return page == null || page.isBlank() ? 0 : Math.max(0, Integer.parseInt(page));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The invoice as CSV, passed through from billing with a file name. */
  @GET
  @Path("/invoices/{id}.csv")
  @Produces("text/csv")
  public Response invoiceCsv(@PathParam("id") long id) {
    return csvDownload(billing, id);
  }

  static Response csvDownload(BillingClient billing, long id) {
    Response csv = billing.invoiceCsv(id, "csv");
    try {
      return Response.ok(csv.readEntity(String.class), "text/csv")
          .header("Content-Disposition", "attachment; filename=\"invoice-" + id + ".csv\"").build();
    } finally {
      csv.close();
    }
  }
}
