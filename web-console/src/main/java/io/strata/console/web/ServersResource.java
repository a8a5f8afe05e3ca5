package io.strata.console.web;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.strata.console.api.ApiProblem;
import io.strata.console.api.ControlPlane.ServerCreate;
import io.strata.console.api.ControlPlane.ServerView;
import io.strata.console.api.ControlPlaneClient;
import io.strata.console.forms.FormErrors;
import io.strata.console.forms.Forms;
import io.strata.console.forms.Forms.ServerForm;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
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

/**
 * Servers (iSCSI initiators). The console generates the CHAP secrets and shows them exactly once,
 * in the answer to the create: they are not kept by the console and the API never returns them.
 */
@Path("/servers")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({"tenant-admin", "tenant-member"})
public class ServersResource {

  @Inject Template servers;
  @Inject Template serverCreated;
  @Inject FormErrors formErrors;
  @Inject @RestClient ControlPlaneClient controlPlane;

  @GET
  public TemplateInstance list(@QueryParam("cursor") String cursor) {
    return page(cursor, new ServerForm(), Map.of());
  }

  private TemplateInstance page(String cursor, ServerForm form, Map<String, String> errors) {
    return servers.data("page", controlPlane.servers(cursor, 50))
        .data("cursor", cursor == null ? "" : cursor).data("base", "/servers?")
        .data("form", form).data("errors", errors).data("key", UUID.randomUUID().toString());
  }

  @POST
  @RolesAllowed("tenant-admin")
  public Response create(@BeanParam ServerForm form, @RestForm String key, @Context HttpHeaders headers) {
    Map<String, String> errors = formErrors.check(form);
    if (errors.isEmpty()) {
      String secret = ChapSecrets.generate();
      boolean mutual = Forms.checked(form.mutualChap);
      String mutualSecret = mutual ? ChapSecrets.generate() : null;
      try {
        ServerView s = controlPlane.createServer(Htmx.idempotencyKey(key), new ServerCreate(form.name, form.iqn,
            form.name, secret, mutual ? "strata-" + form.name : null, mutualSecret)).readEntity(ServerView.class);
        // the secrets are in this answer only: never cached, never shown again
        String html = serverCreated.data("server", s).data("secret", secret).data("mutualSecret", mutualSecret).render();
        return Response.ok(html).header("Cache-Control", "no-store").header("HX-Retarget", "#main")
            .header("HX-Reswap", "innerHTML").header("HX-Push-Url", "false").build();
      } catch (ApiProblem problem) {
        errors = FormErrors.fromProblem(problem, Map.of());
      }
    }
    TemplateInstance p = page(null, form, errors).data("key", key);
    boolean htmx = Htmx.isHtmx(headers);
    String html = htmx ? p.getFragment("create").data("form", form).data("errors", errors).data("key", key).render() : p.render();
    return Response.status(htmx ? 200 : 422).entity(html).build();
  }

  @POST
  @Path("/{id}/delete")
  @RolesAllowed("tenant-admin")
  public Response delete(@PathParam("id") UUID id, @Context HttpHeaders headers) {
    controlPlane.deleteServer(id).close();
    return Htmx.redirect(headers, "/servers");
  }
}
