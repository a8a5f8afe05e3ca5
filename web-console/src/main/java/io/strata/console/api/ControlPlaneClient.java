package io.strata.console.api;

import io.strata.console.api.ControlPlane.*;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The control plane's REST API ({@code /api/v1}), called with the signed-in user's token. Creates
 * carry an {@code Idempotency-Key} so that a double submit makes one object.
 */
@Path("")
@RegisterRestClient(configKey = "control-plane")
@RegisterClientHeaders(AccessTokenHeaders.class)
@RegisterProvider(ProblemMapper.class)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface ControlPlaneClient {

  // ---- performance history (issue 19): kind is volumes, arrays or pools ---------------------
  @GET
  @Path("/{kind}/{id}/performance")
  com.fasterxml.jackson.databind.JsonNode performance(@PathParam("kind") String kind, @PathParam("id") UUID id,
      @QueryParam("from") String from, @QueryParam("step") String step);

  // ---- arrays --------------------------------------------------------------------------------
  @GET
  @Path("/arrays")
  Page<ArrayView> arrays(@QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit,
      @QueryParam("state") String state);

  @GET
  @Path("/arrays")
  Page<ArrayView> arraysNamed(@QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit,
      @QueryParam("state") String state, @QueryParam("name") String name);

  @GET
  @Path("/arrays/{id}")
  ArrayView array(@PathParam("id") UUID id);

  @POST
  @Path("/arrays")
  ArrayView createArray(@HeaderParam("Idempotency-Key") String key, ArrayCreate body);

  @DELETE
  @Path("/arrays/{id}")
  Response deleteArray(@PathParam("id") UUID id);

  /** Changes the engine size (issue 18): 202 (RESIZING) or 200; 409 naming the short resource. */
  @PATCH
  @Path("/arrays/{id}")
  Response resizeArray(@PathParam("id") UUID id, java.util.Map<String, String> body);

  /** Stops the array's engines, keeping its drives and data: 202 (HIBERNATING). */
  @POST
  @Path("/arrays/{id}/hibernate")
  Response hibernateArray(@PathParam("id") UUID id);

  /** Starts a HIBERNATED array's engines again: 202 (RESUMING); 409 naming the short resource. */
  @POST
  @Path("/arrays/{id}/resume")
  Response resumeArray(@PathParam("id") UUID id);

  /** Retries a FAILED array: 202 with the operation; 409 problem details ({@code reason}) when it cannot be retried. */
  @POST
  @Path("/arrays/{id}/retry")
  Response retryArray(@PathParam("id") UUID id);

  @GET
  @Path("/arrays/{id}/drives")
  java.util.List<ArrayDriveView> arrayDrives(@PathParam("id") UUID id);

  /** Takes more free drives of one type for the array; answers all the drives it now holds. */
  @POST
  @Path("/arrays/{id}/drives")
  java.util.List<ArrayDriveView> addDrives(@PathParam("id") UUID id, @HeaderParam("Idempotency-Key") String key,
      DriveAdd body);

  /** Gives a drive (its physical id) back to the free pool; refused while a pool uses it. */
  @DELETE
  @Path("/arrays/{id}/drives/{driveId}")
  Response removeDrive(@PathParam("id") UUID id, @PathParam("driveId") UUID driveId);

  // ---- pools ---------------------------------------------------------------------------------
  @GET
  @Path("/pools")
  Page<PoolView> pools(@QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit,
      @QueryParam("arrayId") UUID arrayId);

  @POST
  @Path("/pools")
  Response createPool(@HeaderParam("Idempotency-Key") String key, PoolCreate body);

  @GET
  @Path("/pools/{id}")
  PoolView pool(@PathParam("id") UUID id);

  /** Scrub the pool now (issue 18): 202 with the pool; the body may set {@code rateMbps}. */
  @POST
  @Path("/pools/{id}/scrub")
  Response scrubPool(@PathParam("id") UUID id, java.util.Map<String, Object> body);

  /** Grows the pool by free drives of its array ({@code driveIds}, optional {@code restripeRateMbps}): 202, a pool.grow operation. */
  @POST
  @Path("/pools/{id}/drives")
  Response growPool(@PathParam("id") UUID id, java.util.Map<String, Object> body);

  /** Sets the pace of a RAID5/6 pool's restripes ({@code rateMbps}): 200 with the pool. */
  @PUT
  @Path("/pools/{id}/restripe-policy")
  Response setRestripePolicy(@PathParam("id") UUID id, java.util.Map<String, Object> body);

  /** Replaces member {@code driveId} with a free drive of the array: 200, the operation in Operation-Location. */
  @POST
  @Path("/pools/{id}/drives/{driveId}/replace")
  Response replacePoolDrive(@PathParam("id") UUID id, @PathParam("driveId") UUID driveId,
      java.util.Map<String, Object> body);

  // ---- volumes -------------------------------------------------------------------------------
  @GET
  @Path("/volumes")
  Page<VolumeView> volumes(@QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit,
      @QueryParam("arrayId") UUID arrayId, @QueryParam("poolId") UUID poolId, @QueryParam("name") String name);

  @GET
  @Path("/volumes/{id}")
  Response volume(@PathParam("id") UUID id);

  @POST
  @Path("/volumes")
  Response createVolume(@HeaderParam("Idempotency-Key") String key, VolumeCreate body);

  @PATCH
  @Path("/volumes/{id}")
  Response updateVolume(@PathParam("id") UUID id, @HeaderParam("If-Match") String etag, VolumeUpdate body);

  @DELETE
  @Path("/volumes/{id}")
  Response deleteVolume(@PathParam("id") UUID id);

  /** Retries a FAILED volume: 202 with the operation; 409 when not FAILED or its array does not accept changes. */
  @POST
  @Path("/volumes/{id}/retry")
  Response retryVolume(@PathParam("id") UUID id);

  /** Answers 202 with the operation; 409 (problem details) while attached, unless forced. */
  @POST
  @Path("/volumes/{id}/rollback")
  Response rollbackVolume(@PathParam("id") UUID id, @HeaderParam("Idempotency-Key") String key, VolumeRollback body);

  /** Moves the volume to another pool of its array, online: 202 with the operation; 409/422 naming why not. */
  @POST
  @Path("/volumes/{id}/move")
  Response moveVolume(@PathParam("id") UUID id, @HeaderParam("Idempotency-Key") String key,
      io.strata.console.api.ControlPlane.VolumeMove body);

  /** Cancels the volume's move (it goes back to its pool): 202 with the operation; 409 naming why not. */
  @POST
  @Path("/volumes/{id}/move/cancel")
  Response cancelVolumeMove(@PathParam("id") UUID id, @HeaderParam("Idempotency-Key") String key);

  // ---- snapshots -----------------------------------------------------------------------------
  @GET
  @Path("/snapshots")
  Page<SnapshotView> snapshots(@QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit,
      @QueryParam("volumeId") UUID volumeId);

  @GET
  @Path("/snapshots/{id}")
  SnapshotView snapshot(@PathParam("id") UUID id);

  @POST
  @Path("/snapshots")
  Response createSnapshot(@HeaderParam("Idempotency-Key") String key, SnapshotCreate body);

  @POST
  @Path("/snapshots/{id}/clones")
  Response cloneSnapshot(@PathParam("id") UUID id, @HeaderParam("Idempotency-Key") String key, CloneCreate body);

  @DELETE
  @Path("/snapshots/{id}")
  Response deleteSnapshot(@PathParam("id") UUID id);

  /** Retries a FAILED snapshot: 202 with the operation; 409 when it cannot be retried. */
  @POST
  @Path("/snapshots/{id}/retry")
  Response retrySnapshot(@PathParam("id") UUID id);

  @GET
  @Path("/snapshot-policies")
  Page<PolicyView> policies(@QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit,
      @QueryParam("volumeId") UUID volumeId);

  @POST
  @Path("/snapshot-policies")
  Response createPolicy(@HeaderParam("Idempotency-Key") String key, PolicyCreate body);

  // ---- servers and attachments ---------------------------------------------------------------
  @GET
  @Path("/servers")
  Page<ServerView> servers(@QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit);

  @POST
  @Path("/servers")
  Response createServer(@HeaderParam("Idempotency-Key") String key, ServerCreate body);

  @DELETE
  @Path("/servers/{id}")
  Response deleteServer(@PathParam("id") UUID id);

  @GET
  @Path("/attachments")
  Page<AttachmentView> attachments(@QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit,
      @QueryParam("volumeId") UUID volumeId, @QueryParam("serverId") UUID serverId);

  @GET
  @Path("/attachments/{id}")
  AttachmentView attachment(@PathParam("id") UUID id);

  @POST
  @Path("/attachments")
  Response createAttachment(@HeaderParam("Idempotency-Key") String key, AttachmentCreate body);

  @DELETE
  @Path("/attachments/{id}")
  Response deleteAttachment(@PathParam("id") UUID id);

  /** Retries a FAILED attachment: 202 with the operation; 409 when it cannot be retried. */
  @POST
  @Path("/attachments/{id}/retry")
  Response retryAttachment(@PathParam("id") UUID id);

  // ---- operations and usage ------------------------------------------------------------------
  @GET
  @Path("/operations")
  Page<OperationView> operations(@QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit,
      @QueryParam("state") String state, @QueryParam("targetId") UUID targetId);

  @GET
  @Path("/operations/{id}")
  OperationView operation(@PathParam("id") UUID id);

  @GET
  @Path("/usage")
  UsageView usage();

  // ---- operator ------------------------------------------------------------------------------
  @GET
  @Path("/admin/tenants")
  Page<TenantView> tenants(@QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit);

  @POST
  @Path("/admin/tenants")
  Response createTenant(@HeaderParam("Idempotency-Key") String key, TenantCreate body);

  @PUT
  @Path("/admin/tenants/{id}/quota")
  Response updateQuota(@PathParam("id") UUID id, @HeaderParam("If-Match") String etag, Quota body);

  @GET
  @Path("/admin/tenants/{id}/quota")
  Response quota(@PathParam("id") UUID id);

  @GET
  @Path("/admin/nodes")
  Page<NodeView> nodes(@QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit);

  /** All tenants' arrays; the filters are optional (tenant alias, array state, node id). */
  @GET
  @Path("/admin/arrays")
  Page<FleetArrayView> fleetArrays(@QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit,
      @QueryParam("tenant") String tenant, @QueryParam("state") String state, @QueryParam("nodeId") UUID nodeId);

  @GET
  @Path("/admin/capacity")
  CapacityView capacity();
}
