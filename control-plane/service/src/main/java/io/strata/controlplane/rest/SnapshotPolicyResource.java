package io.strata.controlplane.rest;

import io.strata.controlplane.domain.SnapshotPolicy;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.rest.dto.SnapshotDtos.PolicyCreate;
import io.strata.controlplane.rest.dto.SnapshotDtos.PolicyView;
import io.strata.controlplane.security.Caller;
import io.strata.controlplane.security.Roles;
import io.strata.controlplane.service.Idempotency;
import io.strata.controlplane.service.SnapshotService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/snapshot-policies")
@Tag(name = "snapshot policies", description = "Scheduled snapshots with retention")
@SecurityRequirement(name = "jwt")
public class SnapshotPolicyResource {
  static final String BASE = "/api/v1/snapshot-policies";

  @Inject Caller caller;
  @Inject SnapshotService snapshots;
  @Inject Idempotency idempotency;

  @POST
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response create(@HeaderParam(Idempotency.HEADER) String key, @NotNull @Valid PolicyCreate body) {
    UUID tenant = caller.tenantId();
    return idempotency.create(key, "tenant:" + tenant + " POST " + BASE, body, () -> {
      PolicyView p = snapshots.createPolicy(tenant, body);
      return new Idempotency.Created(Responses.uri(BASE, p.id()), p, null);
    });
  }

  @GET
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Page<PolicyView> list(
      @QueryParam("volumeId") UUID volumeId, @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return snapshots.listPolicies(caller.tenantId(), volumeId, cursor, limit);
  }

  @GET
  @Path("{id}")
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Response get(@PathParam("id") UUID id) {
    SnapshotPolicy p = snapshots.getPolicy(caller.tenantId(), id);
    return Responses.ok(Views.policy(p), p.version);
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response delete(@PathParam("id") UUID id) {
    snapshots.deletePolicy(caller.tenantId(), id);
    return Response.noContent().build();
  }
}
