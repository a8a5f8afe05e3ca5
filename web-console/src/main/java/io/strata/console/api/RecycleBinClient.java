package io.strata.console.api;

import io.strata.console.api.ControlPlane.Page;
import io.strata.console.api.ControlPlane.VolumeRestore;
import io.strata.console.api.ControlPlane.VolumeView;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
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

/** The control plane's recycle bin of deleted volumes (same service and token as {@link ControlPlaneClient}). */
@Path("/recycle-bin")
@RegisterRestClient(configKey = "control-plane")
@RegisterClientHeaders(AccessTokenHeaders.class)
@RegisterProvider(ProblemMapper.class)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface RecycleBinClient {

  @GET
  Page<VolumeView> list(@QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit);

  /** 200 with the volume; 409 {@code name-taken} naming {@code name} when another volume has its name. */
  @POST
  @Path("/{id}/restore")
  Response restore(@PathParam("id") UUID id, VolumeRestore body);

  /** Purges it now: 202 with the operation. */
  @DELETE
  @Path("/{id}")
  Response purge(@PathParam("id") UUID id);
}
