package io.strata.console.web;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.strata.console.api.ControlPlane.VolumeRestore;
import io.strata.console.api.RecycleBinClient;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.resteasy.reactive.RestForm;

/** The recycle bin: deleted volumes with when they are purged, Restore (optionally renamed) and Purge now. */
@Path("/recycle-bin")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({"tenant-admin", "tenant-member"})
public class RecycleBinPage {

  @Inject Template recycleBin;
  @Inject @RestClient RecycleBinClient bin;

  @GET
  public TemplateInstance list(@QueryParam("cursor") String cursor) {
    return page(cursor, null, Map.of());
  }

  private TemplateInstance page(String cursor, UUID failed, Map<String, String> errors) {
    return recycleBin.data("page", bin.list(cursor, 50))
        .data("cursor", cursor == null ? "" : cursor)
        .data("failed", failed == null ? "" : failed.toString())
        .data("errors", errors);
  }

  /** Restores the volume and shows it; a refusal (its name taken) shows the bin again with the API's message. */
  @POST
  @Path("/{id}/restore")
  @RolesAllowed("tenant-admin")
  public Response restore(@PathParam("id") UUID id, @RestForm String name, @Context HttpHeaders headers) {
    return Submit.form(headers, Map.of(), () -> {
      bin.restore(id, new VolumeRestore(name == null || name.isBlank() ? null : name.strip())).close();
      return "/volumes/" + id;
    }, (errors, fragment) -> page(null, id, errors).render());
  }

  @POST
  @Path("/{id}/purge")
  @RolesAllowed("tenant-admin")
  public Response purge(@PathParam("id") UUID id, @Context HttpHeaders headers) {
    bin.purge(id).close();
    return Htmx.redirect(headers, "/volumes/" + id);
  }
}
