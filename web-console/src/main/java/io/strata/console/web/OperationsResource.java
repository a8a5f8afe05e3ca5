package io.strata.console.web;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.strata.console.api.ControlPlaneClient;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** The operations log: every asynchronous change, pending ones refreshing themselves. */
@Path("/operations")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({"tenant-admin", "tenant-member"})
public class OperationsResource {

  @Inject Template operations;
  @Inject @RestClient ControlPlaneClient controlPlane;

  @GET
  public TemplateInstance list(@QueryParam("state") String state, @QueryParam("targetId") UUID targetId,
      @QueryParam("cursor") String cursor) {
    String s = state == null || state.isBlank() ? null : state;
    var page = controlPlane.operations(cursor, 50, s, targetId);
    boolean pending = page.items().stream().anyMatch(o -> "PENDING".equals(o.state()));
    String base = "/operations?" + (s == null ? "" : "state=" + s + "&") + (targetId == null ? "" : "targetId=" + targetId + "&");
    return operations.data("page", page).data("state", s == null ? "" : s)
        .data("targetId", targetId == null ? "" : targetId.toString())
        .data("cursor", cursor == null ? "" : cursor)
        .data("base", base)
        .data("pending", pending);
  }
}
