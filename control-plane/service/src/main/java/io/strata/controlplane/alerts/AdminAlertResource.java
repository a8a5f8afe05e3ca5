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

/** Operators: every alert, of every tenant and of the fleet. */
@Path("/api/v1/admin/alerts")
@Tag(name = "operator")
@SecurityRequirement(name = "jwt")
@RolesAllowed(Roles.OPERATOR)
public class AdminAlertResource {
  @Inject Caller caller;
  @Inject Alerts alerts;

  @GET
  public Page<AlertView> list(
      @QueryParam("tenant") UUID tenant, @QueryParam("state") String state, @QueryParam("condition") String condition,
      @QueryParam("array") UUID array, @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return alerts.alerts(tenant, state, condition, array, cursor, limit);
  }

  @GET
  @Path("{id}")
  public AlertView get(@PathParam("id") Long id) {
    return alerts.alert(null, id);
  }
}
