package io.strata.controlplane.rest;

import io.strata.controlplane.domain.Pool;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.rest.dto.PoolDtos.PoolCreate;
import io.strata.controlplane.rest.dto.PoolDtos.PoolView;
import io.strata.controlplane.rest.dto.PoolDtos.ScrubPolicy;
import io.strata.controlplane.rest.dto.PoolDtos.ScrubRequest;
import io.strata.controlplane.security.Caller;
import io.strata.controlplane.performance.PerformanceQuery;
import io.strata.controlplane.security.Roles;
import io.strata.controlplane.service.Idempotency;
import io.strata.controlplane.service.PoolScrubs;
import io.strata.controlplane.service.PoolService;
import io.strata.controlplane.service.DriveReplacement;
import io.strata.controlplane.rest.dto.PoolDtos.DriveReplace;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/pools")
@Tag(name = "pools")
@SecurityRequirement(name = "jwt")
public class PoolResource {
  static final String BASE = "/api/v1/pools";

  @Inject Caller caller;
  @Inject PoolService pools;
  @Inject PoolScrubs scrubs;
  @Inject Idempotency idempotency;
  @Inject DriveReplacement replacements;
  @Inject PerformanceQuery performance;
  @Inject io.strata.controlplane.service.PoolGrowth growth;

  /**
   * Adds free drives of the pool's array to the pool as members while the array runs (RAID1/10:
   * mirror pairs): 202 with the {@code pool.grow} operation, done when the engine serves the
   * grown pool; the pool's capacity in GET is the grown one at once. Errors are problem
   * documents naming {@code driveIds}: 409 for a drive the pool cannot take (another array's,
   * in a pool, of another type, smaller, not AVAILABLE), 422 for what cannot grow (odd count for
   * a mirror, cache or tiers, HA arrays). {@code restripeRateMbps} (optional, RAID5/6 only, kept
   * for the pool) paces the restripe onto the new drives.
   */
  @POST
  @Path("{id}/drives")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response addDrives(@PathParam("id") UUID id,
      @NotNull @Valid io.strata.controlplane.rest.dto.PoolDtos.PoolDrivesAdd body) {
    return Responses.operation(growth.addDrives(caller.tenantId(), id, body.driveIds(), body.restripeRateMbps()));
  }

  /**
   * The pace of the RAID5/6 pool's restripe onto added drives ({@code rateMbps}, 0: no limit): kept
   * for later grows, and sent to the engine at once while a restripe runs. 422 naming {@code
   * rateMbps} on a pool that never restripes (RAID1/10 grow without moving data).
   */
  @PUT
  @Path("{id}/restripe-policy")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public PoolView restripePolicy(@PathParam("id") UUID id,
      @NotNull @Valid io.strata.controlplane.rest.dto.PoolDtos.RestripePolicy body) {
    return growth.setRestripeRate(caller.tenantId(), id, body.rateMbps());
  }

  @POST
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response create(@HeaderParam(Idempotency.HEADER) String key, @NotNull @Valid PoolCreate body) {
    UUID tenant = caller.tenantId();
    return idempotency.create(key, "tenant:" + tenant + " POST " + BASE, body, () -> {
      PoolView p = pools.create(tenant, body);
      return new Idempotency.Created(Responses.uri(BASE, p.id()), p, null);
    });
  }

  @GET
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Page<PoolView> list(
      @QueryParam("arrayId") UUID arrayId, @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return pools.list(caller.tenantId(), arrayId, cursor, limit);
  }

  @GET
  @Path("{id}")
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Response get(@PathParam("id") UUID id) {
    Pool p = pools.get(caller.tenantId(), id);
    return Responses.ok(Views.pool(p), p.version);
  }

  /** Scrub the pool now (docs/block-stack.md, "Scrub"); the body is optional. */
  @POST
  @Path("{id}/scrub")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response scrub(@PathParam("id") UUID id, @Valid ScrubRequest body) {
    PoolView p = scrubs.requestNow(caller.tenantId(), id, body == null ? null : body.rateMbps());
    return Response.accepted(p).build();
  }

  /** The pool's scrub schedule and rate. */
  @PUT
  @Path("{id}/scrub-policy")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public PoolView scrubPolicy(@PathParam("id") UUID id, @NotNull @Valid ScrubPolicy body) {
    return scrubs.setPolicy(caller.tenantId(), id, body);
  }

  /**
   * Replaces member drive {@code driveId} of the pool while the array runs: 200 with the array's
   * drives (the replacement now a member, the outgoing drive gone from the array) and, in
   * {@code Operation-Location}, the operation that completes when the engine has rebuilt (or
   * copied) the pool's data onto the new drive; the pool's {@code rebuild} shows the progress.
   * The body may name the free drive to use ({@code replacementDriveId}); otherwise the smallest
   * free drive of the array that fits is taken. Errors are 409 problems naming the field.
   */
  @POST
  @Path("{id}/drives/{driveId}/replace")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response replaceDrive(
      @PathParam("id") UUID id, @PathParam("driveId") UUID driveId, @Valid DriveReplace body) {
    DriveReplacement.Replaced r =
        replacements.replace(caller.tenantId(), id, driveId, body == null ? null : body.replacementDriveId());
    return Response.ok(r.drives()).header(Responses.OPERATION_LOCATION, Responses.operationUri(r.operationId()))
        .build();
  }

  /**
   * The pool's performance history: IOPS, MB/s, latency p50/p99, cache hit ratio, space by tier,
   * from {@code from} to {@code to} (RFC 3339; the last hour by default) in steps of {@code step}
   * (seconds, {@code 5m} or {@code PT5M}; at most 1440 points). Another tenant's id is 404.
   */
  @GET
  @Path("{id}/performance")
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public PerformanceQuery.PerformanceView performance(@PathParam("id") UUID id, @QueryParam("from") String from,
      @QueryParam("to") String to, @QueryParam("step") String step) {
    pools.get(caller.tenantId(), id); // 404 unless it is the caller's
    return performance.view("pool", id, from, to, step);
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response delete(@PathParam("id") UUID id) {
    pools.delete(caller.tenantId(), id);
    return Response.noContent().build();
  }
}
