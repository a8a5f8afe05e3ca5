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

/** A tenant's alerts: only its own; another tenant's id answers 404. */
@Path("/api/v1/alerts")
@Tag(name = "alerts", description = "Alerts on the tenant's arrays and the fleet")
@SecurityRequirement(name = "jwt")
public class AlertResource {
  @Inject Caller caller;
  @Inject Alerts alerts;

  @GET
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Page<AlertView> list(
      @QueryParam("state") String state, @QueryParam("condition") String condition, @QueryParam("array") UUID array,
      @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return alerts.alerts(caller.tenantId(), state, condition, array, cursor, limit);
  }

  @GET
  @Path("{id}")
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public AlertView get(@PathParam("id") Long id) {
    return alerts.alert(caller.tenantId(), id);
  }
}
