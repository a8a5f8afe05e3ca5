package io.strata.controlplane.alerts;

import io.strata.controlplane.rest.Page;
import io.strata.controlplane.security.Caller;
import io.strata.controlplane.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A tenant's webhooks: where its alerts are POSTed, signed; another tenant's id answers 404. */
@Path("/api/v1/webhooks")
@Tag(name = "alerts")
@SecurityRequirement(name = "jwt")
public class WebhookResource {
  @Inject Caller caller;
  @Inject Alerts alerts;

  /** A webhook registration: where to POST alert changes. */
  public record WebhookCreate(@NotNull @Size(max = 2048) String url) {}

  @POST
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response register(@NotNull @Valid WebhookCreate body) {
    Alerts.WebhookCreated created = alerts.register(caller.tenantId(), body.url(), caller.name());
    return Response.created(URI.create("/api/v1/webhooks/" + created.id())).entity(created).build();
  }

  @GET
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public List<Alerts.WebhookView> webhooks() {
    return alerts.webhooks(caller.tenantId());
  }

  @GET
  @Path("{id}")
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Alerts.WebhookView webhook(@PathParam("id") UUID id) {
    return alerts.webhook(caller.tenantId(), id);
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response unregister(@PathParam("id") UUID id) {
    alerts.unregister(caller.tenantId(), id);
    return Response.noContent().build();
  }

  @GET
  @Path("{id}/deliveries")
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Page<Alerts.DeliveryView> deliveries(
      @PathParam("id") UUID id, @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return alerts.deliveries(caller.tenantId(), id, cursor, limit);
  }
}
