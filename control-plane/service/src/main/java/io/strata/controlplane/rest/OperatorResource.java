package io.strata.controlplane.rest;

import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.domain.Quota;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.rest.dto.OperatorDtos.CapacityView;
import io.strata.controlplane.rest.dto.OperatorDtos.DriveCreate;
import io.strata.controlplane.rest.dto.OperatorDtos.DriveView;
import io.strata.controlplane.rest.dto.OperatorDtos.FleetArrayView;
import io.strata.controlplane.rest.dto.OperatorDtos.NodeCreate;
import io.strata.controlplane.rest.dto.OperatorDtos.NodeUpdate;
import io.strata.controlplane.rest.dto.OperatorDtos.NodeView;
import io.strata.controlplane.rest.dto.OperatorDtos.QuotaBody;
import io.strata.controlplane.rest.dto.OperatorDtos.TenantCreate;
import io.strata.controlplane.rest.dto.OperatorDtos.TenantView;
import io.strata.controlplane.security.Caller;
import io.strata.controlplane.security.Roles;
import io.strata.controlplane.service.ArrayFleet;
import io.strata.controlplane.service.Idempotency;
import io.strata.controlplane.service.OperatorService;
import io.strata.controlplane.service.TenantOnboarding;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Operator endpoints: tenants and quotas, nodes, drives, all tenants' arrays, capacity, and the
 * retry of any tenant's FAILED array, volume, snapshot or attachment.
 */
@Path("/api/v1/admin")
@Tag(name = "operator")
@SecurityRequirement(name = "jwt")
@RolesAllowed(Roles.OPERATOR)
public class OperatorResource {
  @Inject Caller caller;
  @Inject OperatorService operator;
  @Inject TenantOnboarding onboarding;
  @Inject Idempotency idempotency;
  @Inject ArrayFleet fleet;
  @Inject io.strata.controlplane.service.Recovery recovery;

  private String scope(String what) {
    return "operator:" + caller.subject() + " POST /api/v1/admin/" + what;
  }

  /** Creates the tenant, its quota, its Keycloak organization and its first admin user. */
  @POST
  @Path("tenants")
  public Response createTenant(@HeaderParam(Idempotency.HEADER) String key, @NotNull @Valid TenantCreate body) {
    // the admin's password is not stored with the idempotency record: only its hash is
    return idempotency.create(key, scope("tenants"), body, () -> {
      TenantView t = onboarding.onboard(body);
      return new Idempotency.Created(Responses.uri("/api/v1/admin/tenants", t.id()), t, null);
    });
  }

  @GET
  @Path("tenants")
  public Page<TenantView> tenants(
      @QueryParam("alias") @Size(max = 32) String alias, @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return operator.tenants(alias, cursor, limit);
  }

  @GET
  @Path("tenants/{id}")
  public TenantView tenant(@PathParam("id") UUID id) {
    return Views.tenant(operator.tenant(id), Quota.findById(id));
  }

  @GET
  @Path("tenants/{id}/quota")
  public Response quota(@PathParam("id") UUID id) {
    Quota q = operator.quota(id);
    return Responses.ok(Views.quota(q), q.version);
  }

  @PUT
  @Path("tenants/{id}/quota")
  public Response setQuota(
      @PathParam("id") UUID id, @HeaderParam("If-Match") String ifMatch, @NotNull @Valid QuotaBody body) {
    Quota q = operator.setQuota(id, ifMatch, body);
    return Responses.ok(Views.quota(q), q.version);
  }

  @POST
  @Path("nodes")
  public Response enroll(@HeaderParam(Idempotency.HEADER) String key, @NotNull @Valid NodeCreate body) {
    return idempotency.create(key, scope("nodes"), body, () -> {
      Node n = operator.enroll(body);
      return new Idempotency.Created(Responses.uri("/api/v1/admin/nodes", n.id), Views.node(n), null);
    });
  }

  @GET
  @Path("nodes")
  public Page<NodeView> nodes(
      @QueryParam("state") NodeState state, @QueryParam("zone") @Size(max = 64) String zone,
      @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return operator.nodes(state, zone, cursor, limit);
  }

  @GET
  @Path("nodes/{id}")
  public Response node(@PathParam("id") UUID id) {
    Node n = operator.node(id);
    return Responses.ok(Views.node(n), n.version);
  }

  @PATCH
  @Path("nodes/{id}")
  public Response setNodeState(
      @PathParam("id") UUID id, @HeaderParam("If-Match") String ifMatch, @NotNull @Valid NodeUpdate body) {
    Node n = operator.setNodeState(id, ifMatch, body.state());
    return Responses.ok(Views.node(n), n.version);
  }

  /**
   * Drains the node: MAINTENANCE, and a planned switchover of every highly available array whose
   * active engine runs there; the answer lists the arrays that cannot move.
   */
  @POST
  @Path("nodes/{id}/drain")
  public io.strata.controlplane.rest.dto.OperatorDtos.DrainView drain(@PathParam("id") UUID id) {
    return operator.drain(id);
  }

  /** Puts a drained node back ONLINE. */
  @POST
  @Path("nodes/{id}/undrain")
  public Response undrain(@PathParam("id") UUID id) {
    Node n = operator.undrain(id);
    return Responses.ok(Views.node(n), n.version);
  }

  @POST
  @Path("drives")
  public Response addDrive(@HeaderParam(Idempotency.HEADER) String key, @NotNull @Valid DriveCreate body) {
    return idempotency.create(key, scope("drives"), body, () -> {
      DriveView d = operator.addDrive(body);
      return new Idempotency.Created(Responses.uri("/api/v1/admin/drives", d.id()), d, null);
    });
  }

  @GET
  @Path("drives")
  public Page<DriveView> drives(
      @QueryParam("nodeId") UUID nodeId, @QueryParam("type") DriveType type,
      @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return operator.drives(nodeId, type, cursor, limit);
  }

  /**
   * Every tenant's arrays (DELETED ones only when {@code state=DELETED} is asked), filtered by
   * tenant (id or alias), state and node; cursor pagination like every list.
   */
  @GET
  @Path("arrays")
  public Page<FleetArrayView> arrays(
      @QueryParam("tenantId") UUID tenantId, @QueryParam("tenant") @Size(max = 32) String tenantAlias,
      @QueryParam("state") ArrayState state, @QueryParam("nodeId") UUID nodeId,
      @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return fleet.page(tenantId, tenantAlias, state, nodeId, cursor, limit);
  }

  @GET
  @Path("capacity")
  public CapacityView capacity() {
    return operator.capacity();
  }

  /**
   * Retries any tenant's FAILED object ({@code kind}: arrays, volumes, snapshots, attachments):
   * back to its in-progress state and its array's desired state sent again, audited as this
   * operator. 202 with the Operation; 409 when it is not FAILED (issue 16).
   */
  @POST
  @Path("{kind: arrays|volumes|snapshots|attachments}/{id}/retry")
  public Response retry(@PathParam("kind") String kind, @PathParam("id") UUID id) {
    return Responses.operation(recovery.retry(io.strata.controlplane.service.Actor.of(caller), null,
        io.strata.controlplane.service.Recovery.Kind.ofCollection(kind), id));
  }
}
