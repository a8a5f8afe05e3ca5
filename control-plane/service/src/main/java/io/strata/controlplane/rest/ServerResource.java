package io.strata.controlplane.rest;

import io.strata.controlplane.domain.Server;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.rest.dto.Names;
import io.strata.controlplane.rest.dto.ServerDtos.ServerCreate;
import io.strata.controlplane.rest.dto.ServerDtos.ServerCredentials;
import io.strata.controlplane.rest.dto.ServerDtos.ServerView;
import io.strata.controlplane.security.Caller;
import io.strata.controlplane.security.Roles;
import io.strata.controlplane.service.Idempotency;
import io.strata.controlplane.service.ServerService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
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

@Path("/api/v1/servers")
@Tag(name = "servers", description = "Initiators and their CHAP credentials")
@SecurityRequirement(name = "jwt")
public class ServerResource {
  static final String BASE = "/api/v1/servers";

  @Inject Caller caller;
  @Inject ServerService servers;
  @Inject Idempotency idempotency;

  @POST
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response create(@HeaderParam(Idempotency.HEADER) String key, @NotNull @Valid ServerCreate body) {
    UUID tenant = caller.tenantId();
    return idempotency.create(key, "tenant:" + tenant + " POST " + BASE, body, () -> {
      Server s = servers.create(tenant, body);
      return new Idempotency.Created(Responses.uri(BASE, s.id), Views.server(s), null);
    });
  }

  @GET
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Page<ServerView> list(
      @QueryParam("iqn") @Size(max = Names.IQN_MAX) String iqn, @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return servers.list(caller.tenantId(), iqn, cursor, limit);
  }

  @GET
  @Path("{id}")
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Response get(@PathParam("id") UUID id) {
    Server s = servers.get(caller.tenantId(), id);
    return Responses.ok(Views.server(s), s.version);
  }

  /** Replaces the CHAP credentials; If-Match required. */
  @PUT
  @Path("{id}/credentials")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response credentials(
      @PathParam("id") UUID id, @HeaderParam("If-Match") String ifMatch, @NotNull @Valid ServerCredentials body) {
    Server s = servers.updateCredentials(caller.tenantId(), id, ifMatch, body);
    return Responses.ok(Views.server(s), s.version);
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Roles.TENANT_ADMIN)
  public Response delete(@PathParam("id") UUID id) {
    servers.delete(caller.tenantId(), id);
    return Response.noContent().build();
  }
}
