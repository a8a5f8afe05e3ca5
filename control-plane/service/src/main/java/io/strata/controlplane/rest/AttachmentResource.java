package io.strata.controlplane.rest;

import io.strata.controlplane.domain.AttachmentState;
import io.strata.controlplane.rest.dto.AttachmentDtos.AttachmentCreate;
import io.strata.controlplane.rest.dto.AttachmentDtos.AttachmentView;
import io.strata.controlplane.security.Caller;
import io.strata.controlplane.security.Roles;
import io.strata.controlplane.service.AttachmentService;
import io.strata.controlplane.service.Idempotency;
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

@Path("/api/v1/attachments")
@Tag(name = "attachments", description = "Volumes exposed to servers, with connection details")
@SecurityRequirement(name = "jwt")
public class AttachmentResource {
  static final String BASE = "/api/v1/attachments";

  @Inject Caller caller;
  @Inject Recovery recovery;
  @Inject AttachmentService attachments;
  @Inject Idempotency idempotency;

  @POST
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response create(@HeaderParam(Idempotency.HEADER) String key, @NotNull @Valid AttachmentCreate body) {
    UUID tenant = caller.tenantId();
    return idempotency.create(key, "tenant:" + tenant + " POST " + BASE, body, () -> {
      AttachmentView a = attachments.create(tenant, body).attachment();
      return new Idempotency.Created(Responses.uri(BASE, a.id()), a, null);
    });
  }

  @GET
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Page<AttachmentView> list(
      @QueryParam("volumeId") UUID volumeId, @QueryParam("serverId") UUID serverId,
      @QueryParam("state") AttachmentState state,
      @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return attachments.list(caller.tenantId(), volumeId, serverId, state, cursor, limit);
  }

  @GET
  @Path("{id}")
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public AttachmentView get(@PathParam("id") UUID id) {
    return attachments.get(caller.tenantId(), id);
  }

  /** Detaches (asynchronously). */
  @DELETE
  @Path("{id}")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response delete(@PathParam("id") UUID id) {
    AttachmentService.Made m = attachments.detach(caller.tenantId(), id);
    return Responses.accepted(m.attachment(), m.operationId());
  }

  /** Retries the FAILED attachment: 202 with the Operation (docs/control-plane.md, "The way back from FAILED"). */
  @POST
  @Path("{id}/retry")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response retry(@PathParam("id") UUID id) {
    return Responses.operation(recovery.retry(Actor.of(caller), caller.tenantId(), Recovery.Kind.ATTACHMENT, id));
  }
}
