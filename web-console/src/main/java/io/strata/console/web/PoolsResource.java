package io.strata.console.web;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.strata.console.api.ControlPlane.PoolCreate;
import io.strata.console.api.ControlPlaneClient;
import io.strata.console.api.SideBySide;
import io.strata.console.forms.FormErrors;
import io.strata.console.forms.Forms;
import io.strata.console.forms.Forms.PoolForm;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
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

/** Pools: drives of one type of an array, with a protection level, a cache mode and tiering. */
@Path("/pools")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({"tenant-admin", "tenant-member"})
public class PoolsResource {

  @Inject Template pools;
  @Inject FormErrors formErrors;
  @Inject @RestClient ControlPlaneClient controlPlane;
  @Inject io.strata.console.api.SideBySide sideBySide;

  @GET
  public TemplateInstance list(@QueryParam("arrayId") UUID arrayId, @QueryParam("cursor") String cursor) {
    PoolForm form = new PoolForm();
    form.arrayId = arrayId == null ? "" : arrayId.toString();
    form.driveType = "SSD";
    form.protection = "RAID1";
    form.driveCount = "2";
    form.cacheMode = "NONE";
    return page(arrayId, cursor, form, Map.of());
  }

  private TemplateInstance page(UUID arrayId, String cursor, PoolForm form, Map<String, String> errors) {
    var arrays = sideBySide.start(() -> controlPlane.arrays(null, 500, null));
    return pools.data("page", controlPlane.pools(cursor, 25, arrayId))
        .data("arrays", SideBySide.join(arrays))
        .data("arrayId", arrayId == null ? "" : arrayId.toString())
        .data("cursor", cursor == null ? "" : cursor)
        .data("base", arrayId == null ? "/pools?" : "/pools?arrayId=" + arrayId + "&")
        .data("form", form).data("errors", errors).data("key", UUID.randomUUID().toString());
  }

  @POST
  @RolesAllowed("tenant-admin")
  public Response create(@BeanParam PoolForm form, @RestForm String key, @Context HttpHeaders headers) {
    return Submit.form(headers, formErrors.check(form), () -> {
      controlPlane.createPool(Htmx.idempotencyKey(key), new PoolCreate(UUID.fromString(form.arrayId), form.name,
          form.driveType, form.protection, Forms.intOrNull(form.driveCount), Forms.blankToNull(form.cacheMode),
          Forms.checked(form.tiering))).close();
      return "/pools?arrayId=" + form.arrayId;
    }, (errors, fragment) -> {
      TemplateInstance p = page(null, null, form, errors).data("key", key);
      return fragment ? p.getFragment("create").data("form", form).data("errors", errors).data("key", key)
          .data("arrays", controlPlane.arrays(null, 500, null)).render() : p.render();
    });
  }
}
