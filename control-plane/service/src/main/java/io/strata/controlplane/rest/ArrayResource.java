package io.strata.controlplane.rest;

import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.rest.dto.ArrayDtos.ArrayCreate;
import io.strata.controlplane.rest.dto.ArrayDtos.ArrayDriveView;
import io.strata.controlplane.rest.dto.ArrayDtos.ArrayView;
import io.strata.controlplane.rest.dto.ArrayDtos.ArrayUpdate;
import io.strata.controlplane.rest.dto.ArrayDtos.DriveAdd;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.rest.problem.Problem;
import io.strata.controlplane.security.Caller;
import io.strata.controlplane.performance.PerformanceQuery;
import io.strata.controlplane.security.Roles;
import io.strata.controlplane.service.ArrayEngineChanges;
import io.strata.controlplane.service.ArrayService;
import io.strata.controlplane.service.Idempotency;
import io.strata.controlplane.service.Actor;
import io.strata.controlplane.service.Recovery;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/arrays")
@Tag(name = "arrays", description = "Virtual Private Storage Arrays")
@SecurityRequirement(name = "jwt")
public class ArrayResource {
  static final String BASE = "/api/v1/arrays";

  @Inject Caller caller;
  @Inject Recovery recovery;
  @Inject ArrayService arrays;
  @Inject ArrayEngineChanges engineChanges;
  @Inject Idempotency idempotency;
  @Inject PerformanceQuery performance;

  @POST
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response create(@HeaderParam(Idempotency.HEADER) String key, @NotNull @Valid ArrayCreate body) {
    requireDrives(body);
    UUID tenant = caller.tenantId();
    return idempotency.create(key, "tenant:" + tenant + " POST " + BASE, body, () -> {
      ArrayService.Created c = arrays.create(tenant, body);
      return new Idempotency.Created(Responses.uri(BASE, c.array().id()), c.array(), null);
    });
  }

  /** An array without drives can hold no pool: a request for one is a mistake (400). */
  private static void requireDrives(ArrayCreate body) {
    int ssd = body.ssdDrives() == null ? 0 : body.ssdDrives();
    int hdd = body.hddDrives() == null ? 0 : body.hddDrives();
    if (ssd + hdd == 0) {
      String message = "an array needs at least one drive: ssdDrives + hddDrives must be 1 or more";
      Problem p = new Problem(400, "invalid-request", "Invalid request", "ssdDrives, hddDrives: " + message);
      p.errors = List.of(new Problem.FieldError("ssdDrives", message), new Problem.FieldError("hddDrives", message));
      throw new ApiException(p);
    }
  }

  @GET
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Page<ArrayView> list(
      @QueryParam("state") ArrayState state, @QueryParam("name") @Size(max = 63) String name,
      @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return arrays.list(caller.tenantId(), state, name, cursor, limit);
  }

  @GET
  @Path("{id}")
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Response get(@PathParam("id") UUID id) {
    StorageArray a = arrays.get(caller.tenantId(), id);
    return Responses.ok(arrays.view(a), a.version);
  }

  /**
   * The array's performance history: IOPS, MB/s, latency p50/p99, cache hit ratio, space by tier,
   * from {@code from} to {@code to} (RFC 3339; the last hour by default) in steps of {@code step}
   * (seconds, {@code 5m} or {@code PT5M}; at most 1440 points). Another tenant's id is 404.
   */
  @GET
  @Path("{id}/performance")
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public PerformanceQuery.PerformanceView performance(@PathParam("id") UUID id, @QueryParam("from") String from,
      @QueryParam("to") String to, @QueryParam("step") String step) {
    arrays.get(caller.tenantId(), id); // 404 unless it is the caller's
    return performance.view("array", id, from, to, step);
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response delete(@PathParam("id") UUID id, @HeaderParam("If-Match") String ifMatch) {
    UUID op = arrays.delete(caller.tenantId(), id, ifMatch);
    return op == null ? Response.noContent().build() : Responses.accepted(null, op);
  }

  @GET
  @Path("{id}/drives")
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public List<ArrayDriveView> drives(@PathParam("id") UUID id) {
    return arrays.drives(caller.tenantId(), id);
  }

  @POST
  @Path("{id}/drives")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response addDrives(
      @PathParam("id") UUID id, @HeaderParam(Idempotency.HEADER) String key, @NotNull @Valid DriveAdd body) {
    UUID tenant = caller.tenantId();
    return idempotency.create(key, "tenant:" + tenant + " POST " + BASE + "/" + id + "/drives", body,
        () -> new Idempotency.Created(null, arrays.addDrives(tenant, id, body), null));
  }

  @DELETE
  @Path("{id}/drives/{driveId}")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response removeDrive(@PathParam("id") UUID id, @PathParam("driveId") UUID driveId) {
    arrays.removeDrive(caller.tenantId(), id, driveId);
    return Response.noContent().build();
  }

  /**
   * Changes the engine size (issue 18): 202 with the array (RESIZING) and the operation; 200 with
   * the array when the size is already that; 409 naming the short resource when the engine's
   * node has no room, or the state when the array cannot be resized now.
   */
  @PATCH
  @Path("{id}")
  @Consumes({MediaType.APPLICATION_JSON, "application/merge-patch+json"})
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response update(@PathParam("id") UUID id, @HeaderParam("If-Match") String ifMatch,
      @NotNull @Valid ArrayUpdate body) {
    return changed(engineChanges.resize(caller.tenantId(), id, body.engineSize(), ifMatch));
  }

  /** Stops the engines, keeping drives and data (issue 18): 202 (HIBERNATING) with the operation. */
  @POST
  @Path("{id}/hibernate")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response hibernate(@PathParam("id") UUID id) {
    return changed(engineChanges.hibernate(caller.tenantId(), id));
  }

  /** Starts the engines of a HIBERNATED array again: 202 (RESUMING); 409 naming the short resource. */
  @POST
  @Path("{id}/resume")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response resume(@PathParam("id") UUID id) {
    return changed(engineChanges.resume(caller.tenantId(), id));
  }

  private Response changed(ArrayEngineChanges.Changed c) {
    ArrayView view = arrays.view(c.array());
    return c.operationId() == null ? Responses.ok(view, c.array().version) : Responses.accepted(view, c.operationId());
  }

  /** Retries the FAILED array: 202 with the Operation (docs/control-plane.md, "The way back from FAILED"). */
  @POST
  @Path("{id}/retry")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response retry(@PathParam("id") UUID id) {
    return Responses.operation(recovery.retry(Actor.of(caller), caller.tenantId(), Recovery.Kind.ARRAY, id));
  }
}
