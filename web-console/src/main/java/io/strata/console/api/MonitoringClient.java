package io.strata.console.api;

import io.strata.console.api.ControlPlane.Page;
import io.strata.console.api.Monitoring.AlertView;
import io.strata.console.api.Monitoring.AuditView;
import io.strata.console.api.Monitoring.DeliveryView;
import io.strata.console.api.Monitoring.WebhookCreate;
import io.strata.console.api.Monitoring.WebhookCreated;
import io.strata.console.api.Monitoring.WebhookView;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The control plane's alerts, webhooks and audit log ({@code /api/v1}), called with the signed-in
 * user's token: the tenant's own under {@code /alerts}, {@code /webhooks}, {@code /audit}, every
 * tenant's under {@code /admin/...} for operators.
 */
@Path("")
@RegisterRestClient(configKey = "control-plane")
@RegisterClientHeaders(AccessTokenHeaders.class)
@RegisterProvider(ProblemMapper.class)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface MonitoringClient {

  @GET
  @Path("/alerts")
  Page<AlertView> alerts(@QueryParam("state") String state, @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit);

  @GET
  @Path("/admin/alerts")
  Page<AlertView> allAlerts(@QueryParam("state") String state, @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit);

  @GET
  @Path("/webhooks")
  List<WebhookView> webhooks();

  @POST
  @Path("/webhooks")
  WebhookCreated registerWebhook(WebhookCreate body);

  @DELETE
  @Path("/webhooks/{id}")
  Response deleteWebhook(@PathParam("id") UUID id);

  @GET
  @Path("/webhooks/{id}/deliveries")
  Page<DeliveryView> deliveries(@PathParam("id") UUID id, @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit);

  @GET
  @Path("/audit")
  Page<AuditView> audit(@QueryParam("actor") String actor, @QueryParam("action") String action,
      @QueryParam("result") String result, @QueryParam("mark") String mark, @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit);

  @GET
  @Path("/admin/audit")
  Page<AuditView> allAudit(@QueryParam("actor") String actor, @QueryParam("action") String action,
      @QueryParam("result") String result, @QueryParam("mark") String mark, @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit);
}
