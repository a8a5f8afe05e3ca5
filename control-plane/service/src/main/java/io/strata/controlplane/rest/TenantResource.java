package io.strata.controlplane.rest;

import io.strata.controlplane.domain.OperationState;
import io.strata.controlplane.rest.dto.CommonDtos.OperationView;
import io.strata.controlplane.rest.dto.CommonDtos.UsageView;
import io.strata.controlplane.security.Caller;
import io.strata.controlplane.security.Roles;
import io.strata.controlplane.service.TenantQueries;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The caller's operations and usage. */
@Path("/api/v1")
@Tag(name = "operations and usage")
@SecurityRequirement(name = "jwt")
@RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
public class TenantResource {
  @Inject Caller caller;
  @Inject TenantQueries queries;

  @GET
  @Path("operations")
  public Page<OperationView> operations(
      @QueryParam("state") OperationState state, @QueryParam("targetId") UUID targetId,
      @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return queries.operations(caller.tenantId(), state, targetId, cursor, limit);
  }

  @GET
  @Path("operations/{id}")
  public OperationView operation(@PathParam("id") UUID id) {
    return queries.operation(caller.tenantId(), id);
  }

  @GET
  @Path("usage")
  public UsageView usage() {
    return queries.usage(caller.tenantId());
  }
}
