package io.strata.controlplane.audit;

import io.strata.controlplane.rest.Page;
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

/** The whole audit log, for operators: every tenant's entries and the operators' own. */
@Path("/api/v1/admin/audit")
@Tag(name = "audit")
@SecurityRequirement(name = "jwt")
public class AdminAuditResource {
  @Inject AuditQueries audit;

  @GET
  @RolesAllowed(Roles.OPERATOR)
  public Page<AuditView> operatorLog(
      @QueryParam("tenant") UUID tenant, @QueryParam("object") UUID object,
      @QueryParam("actor") @Size(max = 255) String actor, @QueryParam("action") @Size(max = 64) String action,
      @QueryParam("from") Instant from, @QueryParam("to") Instant to, @QueryParam("result") String result,
      @QueryParam("mark") String mark, @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
    return audit.page(tenant, new AuditQueries.Filter(object, actor, action, from, to, result, mark), cursor, limit);
  }
}
