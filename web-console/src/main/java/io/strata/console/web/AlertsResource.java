package io.strata.console.web;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.strata.console.api.ApiProblem;
import io.strata.console.api.Monitoring.WebhookCreate;
import io.strata.console.api.Monitoring.WebhookCreated;
import io.strata.console.api.MonitoringClient;
import io.strata.console.forms.FormErrors;
import io.strata.console.session.CurrentUser;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
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
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.resteasy.reactive.RestForm;

/**
 * Alerts (a tenant's own; an operator's: every tenant's and the fleet's), refreshing themselves,
 * and the tenant's webhooks: registration (the signing secret shown once), removal and the
 * delivery log.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class AlertsResource {

  @Inject Template alerts;
  @Inject Template webhooks;
  @Inject Template webhookCreated;
  @Inject Template webhook;
  @Inject CurrentUser user;
  @Inject @RestClient MonitoringClient monitoring;

  /**
   * How often an open alerts page asks for the alerts again (an htmx interval: "10s"); about the
   * control plane's evaluation interval (strata.alerts.evaluate-every), whose changes it shows.
   */
  @ConfigProperty(name = "strata.console.alerts.refresh-every", defaultValue = "10s")
  String refreshEvery;

  @GET
  @Path("alerts")
  @RolesAllowed({"tenant-admin", "tenant-member", "operator"})
  public TemplateInstance list(@QueryParam("state") String state, @QueryParam("cursor") String cursor) {
    String s = state == null || state.isBlank() ? null : state;
    var page = user.isOperator() ? monitoring.allAlerts(s, cursor, 50) : monitoring.alerts(s, cursor, 50);
    return alerts.data("page", page).data("refreshEvery", refreshEvery).data("state", s == null ? "" : s)
        .data("cursor", cursor == null ? "" : cursor)
        .data("base", "/alerts?" + (s == null ? "" : "state=" + s + "&"));
  }

  @GET
  @Path("webhooks")
  @RolesAllowed({"tenant-admin", "tenant-member"})
  public TemplateInstance webhooks() {
    return webhookPage("", Map.of());
  }

  private TemplateInstance webhookPage(String url, Map<String, String> errors) {
    return webhooks.data("hooks", monitoring.webhooks()).data("url", url).data("errors", errors);
  }

  @POST
  @Path("webhooks")
  @RolesAllowed("tenant-admin")
  public Response register(@RestForm String url, @Context HttpHeaders headers) {
    Map<String, String> errors;
    if (url == null || url.isBlank()) {
      errors = Map.of("url", "give the address alerts are POSTed to", FormErrors.FORM, "the webhook needs an address");
    } else {
      try {
        WebhookCreated created = monitoring.registerWebhook(new WebhookCreate(url.trim()));
        // the signing secret is in this answer only: never cached, never shown again
        String html = webhookCreated.data("hook", created).render();
        return Response.ok(html).header("Cache-Control", "no-store").header("HX-Retarget", "#main")
            .header("HX-Reswap", "innerHTML").header("HX-Push-Url", "false").build();
      } catch (ApiProblem problem) {
        errors = FormErrors.fromProblem(problem, Map.of());
      }
    }
    TemplateInstance page = webhookPage(url, errors);
    boolean htmx = Htmx.isHtmx(headers);
    String html = htmx ? page.getFragment("register").data("url", url).data("errors", errors).render() : page.render();
    return Response.status(htmx ? 200 : 422).entity(html).build();
  }

  @GET
  @Path("webhooks/{id}")
  @RolesAllowed({"tenant-admin", "tenant-member"})
  public TemplateInstance deliveries(@PathParam("id") UUID id, @QueryParam("cursor") String cursor) {
    var hook = monitoring.webhooks().stream().filter(h -> h.id().equals(id)).findFirst().orElse(null);
    return webhook.data("hook", hook).data("id", id).data("page", monitoring.deliveries(id, cursor, 50))
        .data("cursor", cursor == null ? "" : cursor).data("base", "/webhooks/" + id + "?");
  }

  @POST
  @Path("webhooks/{id}/delete")
  @RolesAllowed("tenant-admin")
  public Response delete(@PathParam("id") UUID id, @Context HttpHeaders headers) {
    monitoring.deleteWebhook(id).close();
    return Htmx.redirect(headers, "/webhooks");
  }
}
