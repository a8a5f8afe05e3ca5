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

/** Operators: the numbers the alert conditions compare against. */
@Path("/api/v1/admin/alert-thresholds")
@Tag(name = "operator")
@SecurityRequirement(name = "jwt")
@RolesAllowed(Roles.OPERATOR)
public class AdminThresholdResource {
  @Inject Caller caller;
  @Inject Alerts alerts;

  public record ThresholdUpdate(@NotNull Double value) {}

  @GET
  public List<Alerts.ThresholdView> thresholds() {
    return alerts.thresholds();
  }

  @PUT
  @Path("{name}")
  public Alerts.ThresholdView setThreshold(@PathParam("name") String name, @NotNull @Valid ThresholdUpdate body) {
    return alerts.setThreshold(name, body.value(), caller.name());
  }
}
