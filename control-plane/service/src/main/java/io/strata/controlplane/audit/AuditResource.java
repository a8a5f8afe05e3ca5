package io.strata.controlplane.audit;

import io.strata.controlplane.rest.Page;
import io.strata.controlplane.security.Caller;
import io.strata.controlplane.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The audit log: {@code GET /api/v1/audit} lists the entries of the caller's tenant's objects
 * (also the refused requests of its users); {@link AdminAuditResource} every entry, for operators.
 * Newest first, with cursor paging; the log has no changing endpoint at all.
 */
@Path("/api/v1/audit")
@Tag(name = "audit", description = "Who changed what, when, from where, and what came of it")
@SecurityRequirement(name = "jwt")
public class AuditResource {
  @Inject Caller caller;
  @Inject AuditQueries audit;

  @GET
  @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_MEMBER})
  public Page<AuditView> tenantLog(
      @QueryParam("object") UUID object, @QueryParam("actor") @Size(max = 255) String actor,
      @QueryParam("action") @Size(max = 64) String action, @QueryParam("from") Instant from,
      @QueryParam("to") Instant to, @QueryParam("result") String result, @QueryParam("mark") String mark,
      @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return audit.page(caller.tenantId(), new AuditQueries.Filter(object, actor, action, from, to, result, mark),
        cursor, limit);
  }
}
