package io.strata.controlplane.rest;

import io.strata.controlplane.domain.Snapshot;
import io.strata.controlplane.domain.SnapshotState;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.rest.dto.SnapshotDtos.CloneCreate;
import io.strata.controlplane.rest.dto.SnapshotDtos.SnapshotCreate;
import io.strata.controlplane.rest.dto.SnapshotDtos.SnapshotView;
import io.strata.controlplane.security.Caller;
import io.strata.controlplane.security.Roles;
import io.strata.controlplane.service.Idempotency;
import io.strata.controlplane.service.SnapshotService;
import io.strata.controlplane.service.VolumeService;
import io.strata.controlplane.service.Actor;
import io.strata.controlplane.service.Recovery;
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

@Path("/api/v1/snapshots")
@Tag(name = "snapshots", description = "Snapshots and clones")
@SecurityRequirement(name = "jwt")
public class SnapshotResource {
  static final String BASE = "/api/v1/snapshots";

  @Inject Caller caller;
  @Inject Recovery recovery;
  @Inject SnapshotService snapshots;
  @Inject Idempotency idempotency;

  @POST
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response create(@HeaderParam(Idempotency.HEADER) String key, @NotNull @Valid SnapshotCreate body) {
    UUID tenant = caller.tenantId();
    return idempotency.create(key, "tenant:" + tenant + " POST " + BASE, body, () -> {
      Snapshot s = snapshots.create(tenant, body).snapshot();
      return new Idempotency.Created(Responses.uri(BASE, s.id), Views.snapshot(s), null);
    });
  }

  @GET
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Page<SnapshotView> list(
      @QueryParam("volumeId") UUID volumeId, @QueryParam("state") SnapshotState state,
      @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return snapshots.list(caller.tenantId(), volumeId, state, cursor, limit);
  }

  @GET
  @Path("{id}")
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Response get(@PathParam("id") UUID id) {
    Snapshot s = snapshots.get(caller.tenantId(), id);
    return Responses.ok(Views.snapshot(s), s.version);
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response delete(@PathParam("id") UUID id) {
    return Responses.accepted(null, snapshots.delete(caller.tenantId(), id));
  }

  /** Creates a volume from the snapshot. */
  @POST
  @Path("{id}/clones")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response cloneOf(
      @PathParam("id") UUID id, @HeaderParam(Idempotency.HEADER) String key, @NotNull @Valid CloneCreate body) {
    UUID tenant = caller.tenantId();
    return idempotency.create(key, "tenant:" + tenant + " POST " + BASE + "/" + id + "/clones", body, () -> {
      VolumeService.Changed c = snapshots.cloneOf(tenant, id, body);
      return new Idempotency.Created(Responses.uri(VolumeResource.BASE, c.volume().id), Views.volume(c.volume()), null);
    });
  }

  /** Retries the FAILED snapshot: 202 with the Operation (docs/control-plane.md, "The way back from FAILED"). */
  @POST
  @Path("{id}/retry")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response retry(@PathParam("id") UUID id) {
    return Responses.operation(recovery.retry(Actor.of(caller), caller.tenantId(), Recovery.Kind.SNAPSHOT, id));
  }
}
