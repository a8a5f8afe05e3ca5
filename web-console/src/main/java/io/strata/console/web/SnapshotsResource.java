package io.strata.console.web;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.strata.console.api.ControlPlane.CloneCreate;
import io.strata.console.api.ControlPlane.PolicyCreate;
import io.strata.console.api.ControlPlane.SnapshotCreate;
import io.strata.console.api.ControlPlane.VolumeView;
import io.strata.console.api.ControlPlaneClient;
import io.strata.console.forms.FormErrors;
import io.strata.console.forms.Forms;
import io.strata.console.forms.Forms.PolicyForm;
import io.strata.console.forms.Forms.SnapshotForm;
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

/** Snapshots (take, clone, delete) and snapshot schedules. */
@Path("/snapshots")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({"tenant-admin", "tenant-member"})
public class SnapshotsResource {

  @Inject Template snapshots;
  @Inject FormErrors formErrors;
  @Inject @RestClient ControlPlaneClient controlPlane;

  @GET
  public TemplateInstance list(@QueryParam("volumeId") UUID volumeId, @QueryParam("cursor") String cursor) {
    SnapshotForm form = new SnapshotForm();
    form.volumeId = volumeId == null ? "" : volumeId.toString();
    PolicyForm policy = new PolicyForm();
    policy.volumeId = form.volumeId;
    policy.intervalMinutes = "60";
    policy.retain = "24";
    return page(volumeId, cursor, form, policy, Map.of(), Map.of());
  }

  private TemplateInstance page(UUID volumeId, String cursor, SnapshotForm form, PolicyForm policy,
      Map<String, String> errors, Map<String, String> policyErrors) {
    return snapshots.data("page", controlPlane.snapshots(cursor, 50, volumeId))
        .data("policies", controlPlane.policies(null, 100, volumeId))
        .data("volumes", controlPlane.volumes(null, 500, null, null, null))
        .data("volumeId", volumeId == null ? "" : volumeId.toString())
        .data("cursor", cursor == null ? "" : cursor)
        .data("base", volumeId == null ? "/snapshots?" : "/snapshots?volumeId=" + volumeId + "&")
        .data("form", form).data("errors", errors).data("policy", policy).data("policyErrors", policyErrors)
        .data("key", UUID.randomUUID().toString());
  }

  @POST
  @RolesAllowed("tenant-admin")
  public Response take(@BeanParam SnapshotForm form, @RestForm String key, @Context HttpHeaders headers) {
    return Submit.form(headers, formErrors.check(form), () -> {
      controlPlane.createSnapshot(Htmx.idempotencyKey(key), new SnapshotCreate(UUID.fromString(form.volumeId), form.name)).close();
      return "/snapshots?volumeId=" + form.volumeId;
    }, (errors, fragment) -> page(null, null, form, new PolicyForm(), errors, Map.of()).data("key", key).render());
  }

  @POST
  @Path("/{id}/clone")
  @RolesAllowed("tenant-admin")
  public Response cloneOf(@PathParam("id") UUID id, @RestForm String name, @RestForm String key,
      @Context HttpHeaders headers) {
    VolumeView clone = controlPlane.cloneSnapshot(id, Htmx.idempotencyKey(key), new CloneCreate(name, null))
        .readEntity(VolumeView.class);
    return Htmx.redirect(headers, "/volumes/" + clone.id());
  }

  @POST
  @Path("/{id}/delete")
  @RolesAllowed("tenant-admin")
  public Response delete(@PathParam("id") UUID id, @Context HttpHeaders headers) {
    controlPlane.deleteSnapshot(id).close();
    return Htmx.redirect(headers, "/snapshots");
  }

  @POST
  @Path("/policies")
  @RolesAllowed("tenant-admin")
  public Response schedule(@BeanParam PolicyForm policy, @RestForm String key, @Context HttpHeaders headers) {
    return Submit.form(headers, formErrors.check(policy), () -> {
      controlPlane.createPolicy(Htmx.idempotencyKey(key), new PolicyCreate(UUID.fromString(policy.volumeId), policy.name,
          Forms.intOrNull(policy.intervalMinutes), Forms.intOrNull(policy.retain), true)).close();
      return "/snapshots?volumeId=" + policy.volumeId;
    }, (errors, fragment) -> page(null, null, new SnapshotForm(), policy, Map.of(), errors).data("key", key).render());
  }
}
