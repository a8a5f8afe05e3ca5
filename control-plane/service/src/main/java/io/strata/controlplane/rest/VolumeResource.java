package io.strata.controlplane.rest;

import io.strata.controlplane.domain.Operation;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.rest.dto.VolumeDtos.VolumeCreate;
import io.strata.controlplane.rest.dto.VolumeDtos.VolumeMove;
import io.strata.controlplane.rest.dto.VolumeDtos.VolumeRollback;
import io.strata.controlplane.rest.dto.VolumeDtos.VolumeUpdate;
import io.strata.controlplane.rest.dto.VolumeDtos.VolumeView;
import io.strata.controlplane.security.Caller;
import io.strata.controlplane.performance.PerformanceQuery;
import io.strata.controlplane.security.Roles;
import io.strata.controlplane.service.Idempotency;
import io.strata.controlplane.service.VolumeService;
import io.strata.controlplane.service.Actor;
import io.strata.controlplane.service.Recovery;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/volumes")
@Tag(name = "volumes")
@SecurityRequirement(name = "jwt")
public class VolumeResource {
  static final String BASE = "/api/v1/volumes";

  @Inject Caller caller;
  @Inject Recovery recovery;
  @Inject VolumeService volumes;
  @Inject io.strata.controlplane.service.VolumeMoves moves;
  @Inject Idempotency idempotency;
  @Inject PerformanceQuery performance;

  @POST
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response create(@HeaderParam(Idempotency.HEADER) String key, @NotNull @Valid VolumeCreate body) {
    UUID tenant = caller.tenantId();
    return idempotency.create(key, "tenant:" + tenant + " POST " + BASE, body, () -> {
      VolumeService.Changed c = volumes.create(tenant, body);
      return new Idempotency.Created(Responses.uri(BASE, c.volume().id), Views.volume(c.volume()), null);
    });
  }

  @GET
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Page<VolumeView> list(
      @QueryParam("arrayId") UUID arrayId, @QueryParam("poolId") UUID poolId,
      @QueryParam("state") VolumeState state, @QueryParam("name") @Size(max = 63) String name,
      @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return volumes.list(caller.tenantId(), arrayId, poolId, state, name, cursor, limit);
  }

  @GET
  @Path("{id}")
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Response get(@PathParam("id") UUID id) {
    Volume v = volumes.get(caller.tenantId(), id);
    return Responses.ok(Views.volume(v), v.version);
  }

  /**
   * The volume's performance history: IOPS, MB/s, latency p50/p99, cache hit ratio, space by tier,
   * from {@code from} to {@code to} (RFC 3339; the last hour by default) in steps of {@code step}
   * (seconds, {@code 5m} or {@code PT5M}; at most 1440 points). Another tenant's id is 404.
   */
  @GET
  @Path("{id}/performance")
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public PerformanceQuery.PerformanceView performance(@PathParam("id") UUID id, @QueryParam("from") String from,
      @QueryParam("to") String to, @QueryParam("step") String step) {
    volumes.get(caller.tenantId(), id); // 404 unless it is the caller's
    return performance.view("volume", id, from, to, step);
  }

  /** Resize (grow only) and QoS; If-Match with the ETag of the volume you read is required. */
  @PATCH
  @Path("{id}")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response update(
      @PathParam("id") UUID id, @HeaderParam("If-Match") String ifMatch, @NotNull @Valid VolumeUpdate body) {
    VolumeService.Changed c = volumes.update(caller.tenantId(), id, ifMatch, body);
    Response.ResponseBuilder rb =
        (c.operationId() == null ? Response.ok(Views.volume(c.volume())) : Response.accepted(Views.volume(c.volume())))
            .tag(new jakarta.ws.rs.core.EntityTag(String.valueOf(c.volume().version)));
    if (c.operationId() != null) {
      rb.header(Responses.OPERATION_LOCATION, Responses.operationUri(c.operationId()));
    }
    return rb.build();
  }

  /**
   * Rolls the volume back to one of its snapshots ({@code {"snapshotId": ..., "force": false}}).
   * 202 with the Operation to poll (also in Location and Operation-Location). 409 naming the
   * reason when the snapshot is of another volume or not AVAILABLE, the volume is not AVAILABLE,
   * or it is attached and {@code force} is not true (a mounted file system would be corrupted).
   * A retry with the same Idempotency-Key returns the first answer.
   */
  @POST
  @Path("{id}/rollback")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response rollback(
      @PathParam("id") UUID id, @HeaderParam(Idempotency.HEADER) String key, @NotNull @Valid VolumeRollback body) {
    UUID tenant = caller.tenantId();
    return idempotency.create(key, "tenant:" + tenant + " POST " + BASE + "/" + id + "/rollback", body, () -> {
      Operation op = volumes.rollback(tenant, id, body);
      return Idempotency.Created.accepted(Responses.operationUri(op.id), Views.operation(op));
    });
  }

  /**
   * Moves the volume to another pool of its array, online ({@code {"poolId": ...}}): its servers
   * keep reading and writing while the engine copies it. 202 with the Operation to poll (also in
   * Location and Operation-Location), which completes when the engine reports the move done; the
   * volume is MOVING meanwhile, its {@code move} says from where and how far. 404 for a volume or
   * pool that is not the caller's; 422 for a pool of another array; 409 naming the reason for its
   * own pool, a pool without room for it, a volume already moving, not AVAILABLE, a clone or with
   * snapshots. A retry with the same Idempotency-Key returns the first answer.
   */
  @POST
  @Path("{id}/move")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response move(
      @PathParam("id") UUID id, @HeaderParam(Idempotency.HEADER) String key, @NotNull @Valid VolumeMove body) {
    UUID tenant = caller.tenantId();
    return idempotency.create(key, "tenant:" + tenant + " POST " + BASE + "/" + id + "/move", body, () -> {
      Operation op = moves.move(tenant, id, body.poolId());
      return Idempotency.Created.accepted(Responses.operationUri(op.id), Views.operation(op));
    });
  }

  /**
   * Cancels the volume's move: the engine takes it back to the pool it came from (dropping the
   * partial copy, or moving the data back if it had switched already). 202 with a
   * {@code volume.move-cancel} Operation (also in Location and Operation-Location), which
   * completes when the engine reports the volume back; the move's own Operation fails
   * ("cancelled"). The volume stays MOVING meanwhile, its {@code move} going back, with
   * {@code cancelling} true. 404 for a volume that is not the caller's; 409 {@code volume-not-moving}
   * for a volume that is not MOVING, {@code move-cancelling} when its move is being cancelled
   * already, {@code array-not-accepting}. A retry with the same Idempotency-Key returns the first
   * answer.
   */
  @POST
  @Path("{id}/move/cancel")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response cancelMove(@PathParam("id") UUID id, @HeaderParam(Idempotency.HEADER) String key) {
    UUID tenant = caller.tenantId();
    return idempotency.create(key, "tenant:" + tenant + " POST " + BASE + "/" + id + "/move/cancel", NO_BODY, () -> {
      Operation op = moves.cancel(tenant, id);
      return Idempotency.Created.accepted(Responses.operationUri(op.id), Views.operation(op));
    });
  }

  /** What a request without a body is remembered as for its Idempotency-Key. */
  private static final java.util.Map<String, Object> NO_BODY = java.util.Map.of();

  @DELETE
  @Path("{id}")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response delete(@PathParam("id") UUID id, @HeaderParam("If-Match") String ifMatch) {
    return Responses.accepted(null, volumes.delete(caller.tenantId(), id, ifMatch));
  }

  /** Retries the FAILED volume: 202 with the Operation (docs/control-plane.md, "The way back from FAILED"). */
  @POST
  @Path("{id}/retry")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response retry(@PathParam("id") UUID id) {
    return Responses.operation(recovery.retry(Actor.of(caller), caller.tenantId(), Recovery.Kind.VOLUME, id));
  }
}
