package io.strata.controlplane.rest;

import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.rest.dto.VolumeDtos.VolumeRestore;
import io.strata.controlplane.rest.dto.VolumeDtos.VolumeView;
import io.strata.controlplane.security.Caller;
import io.strata.controlplane.security.Roles;
import io.strata.controlplane.service.RecycleBin;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The tenant's deleted volumes, restorable until their {@code purgeAt} (docs/provisioning.md,
 * "Recycle bin"). The same volumes are listed by {@code GET /api/v1/volumes?state=RECYCLED}.
 */
@Path("/api/v1/recycle-bin")
@Tag(name = "recycle bin")
@SecurityRequirement(name = "jwt")
public class RecycleBinResource {
  @Inject Caller caller;
  @Inject RecycleBin bin;

  @GET
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Page<VolumeView> list(
      @QueryParam("arrayId") UUID arrayId, @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return bin.list(caller.tenantId(), arrayId, cursor, limit);
  }

  /**
   * Restores the volume: 200 with it, AVAILABLE and unattached. Body optional:
   * {@code {"name": "new-name"}} when another volume took its name (409 {@code name-taken} otherwise).
   */
  @POST
  @Path("{id}/restore")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response restore(@PathParam("id") UUID id, @Valid VolumeRestore body) {
    Volume v = bin.restore(caller.tenantId(), id, body == null ? null : body.name());
    return Responses.ok(Views.volume(v), v.version);
  }

  /** Purges the volume now, releasing its data: 202 with the operation. */
  @DELETE
  @Path("{id}")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response purge(@PathParam("id") UUID id) {
    return Responses.accepted(null, bin.purge(caller.tenantId(), id));
  }
}
