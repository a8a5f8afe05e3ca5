package io.strata.controlplane.alerts;

import io.strata.controlplane.rest.Page;
import io.strata.controlplane.security.Caller;
import io.strata.controlplane.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Operators' webhooks, which hear of every alert. */
@Path("/api/v1/admin/webhooks")
@Tag(name = "operator")
@SecurityRequirement(name = "jwt")
@RolesAllowed(Roles.OPERATOR)
public class AdminWebhookResource {
  @Inject Caller caller;
  @Inject Alerts alerts;

  @POST
  public Response register(@NotNull @Valid WebhookResource.WebhookCreate body) {
    Alerts.WebhookCreated created = alerts.register(null, body.url(), caller.name());
    return Response.created(URI.create("/api/v1/admin/webhooks/" + created.id())).entity(created).build();
  }

  @GET
  public List<Alerts.WebhookView> webhooks() {
    return alerts.webhooks(null);
  }

  @DELETE
  @Path("{id}")
  public Response unregister(@PathParam("id") UUID id) {
    alerts.unregister(null, id);
    return Response.noContent().build();
  }

  @GET
  @Path("{id}/deliveries")
  public Page<Alerts.DeliveryView> deliveries(
      @PathParam("id") UUID id, @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return alerts.deliveries(null, id, cursor, limit);
  }
}
