package io.strata.console.web;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.strata.console.api.ControlPlane.SnapshotCreate;
import io.strata.console.api.ControlPlane.VolumeCreate;
import io.strata.console.api.ControlPlane.VolumeUpdate;
import io.strata.console.api.ControlPlane.VolumeView;
import io.strata.console.api.ControlPlaneClient;
import io.strata.console.api.SideBySide;
import io.strata.console.forms.FormErrors;
import io.strata.console.forms.Forms;
import io.strata.console.forms.Forms.VolumeChangeForm;
import io.strata.console.forms.Forms.VolumeForm;
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

/** Volumes: list with filters, create, resize and QoS, delete after confirmation. */
@Path("/volumes")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({"tenant-admin", "tenant-member"})
public class VolumesResource {

  @Inject Template volumes;
  @Inject Template volume;
  @Inject FormErrors formErrors;
  @Inject @RestClient ControlPlaneClient controlPlane;
  @Inject RetryButton retryButton;
  @Inject io.strata.console.api.SideBySide sideBySide;

  @GET
  public TemplateInstance list(@QueryParam("arrayId") UUID arrayId, @QueryParam("name") String name,
      @QueryParam("cursor") String cursor) {
    VolumeForm form = new VolumeForm();
    form.thin = "on";
    return page(arrayId, name, cursor, form, Map.of());
  }

  private TemplateInstance page(UUID arrayId, String name, String cursor, VolumeForm form, Map<String, String> errors) {
    String filter = (arrayId == null ? "" : "arrayId=" + arrayId + "&")
        + (name == null || name.isBlank() ? "" : "name=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8) + "&");
    var arrays = sideBySide.start(() -> controlPlane.arrays(null, 500, null));
    var pools = sideBySide.start(() -> controlPlane.pools(null, 500, null));
    return volumes.data("page", controlPlane.volumes(cursor, 50, arrayId, null, name == null || name.isBlank() ? null : name))
        .data("arrays", SideBySide.join(arrays))
        .data("pools", SideBySide.join(pools))
        .data("arrayId", arrayId == null ? "" : arrayId.toString())
        .data("name", name == null ? "" : name)
        .data("cursor", cursor == null ? "" : cursor)
        .data("base", "/volumes?" + filter)
        .data("form", form).data("errors", errors).data("key", UUID.randomUUID().toString());
  }

  @POST
  @RolesAllowed("tenant-admin")
  public Response create(@BeanParam VolumeForm form, @RestForm String key, @Context HttpHeaders headers) {
    return Submit.form(headers, formErrors.check(form), () -> {
      VolumeView v = controlPlane.createVolume(Htmx.idempotencyKey(key), new VolumeCreate(UUID.fromString(form.poolId),
          form.name, Forms.longOrNull(form.sizeGib), Forms.checked(form.thin), Forms.intOrNull(form.qosIopsLimit),
          Forms.intOrNull(form.qosMbpsLimit), Forms.checked(form.multiAttach),
          form.tierPin == null || form.tierPin.isBlank() ? null : form.tierPin)).readEntity(VolumeView.class);
      return "/volumes/" + v.id();
    }, (errors, fragment) -> {
      TemplateInstance p = page(null, null, null, form, errors).data("key", key);
      return fragment ? p.getFragment("create").data("form", form).data("errors", errors).data("key", key)
          .data("pools", controlPlane.pools(null, 500, null)).render() : p.render();
    });
  }

  @GET
  @Path("/{id}")
  public TemplateInstance show(@PathParam("id") UUID id) {
    var snapshots = sideBySide.start(() -> controlPlane.snapshots(null, 50, id));
    var attachments = sideBySide.start(() -> controlPlane.attachments(null, 50, id, null));
    Response r = controlPlane.volume(id);
    VolumeView v = r.readEntity(VolumeView.class);
    VolumeChangeForm change = new VolumeChangeForm();
    change.sizeGib = String.valueOf(v.sizeGib());
    change.qosIopsLimit = v.qosIopsLimit() == null ? "0" : v.qosIopsLimit().toString();
    change.qosMbpsLimit = v.qosMbpsLimit() == null ? "0" : v.qosMbpsLimit().toString();
    change.tierPin = v.tierPin() == null ? "NONE" : v.tierPin();
    change.etag = r.getHeaderString("ETag");
    return withMove(volume.data("volume", v).data("change", change).data("errors", Map.of())
        .data("snapshots", SideBySide.join(snapshots))
        .data("attachments", SideBySide.join(attachments))
        .data("key", UUID.randomUUID().toString())
        .data("moveErrors", Map.of()), v);
  }

  /**
   * Adds what the move form and the move's state need: the pools it may go to, and pool names.
   * (Each by its key: TemplateInstance.data(Object) would replace all the data given so far.)
   */
  private TemplateInstance withMove(TemplateInstance page, VolumeView v) {
    var pools = VolumeMoveForm.poolsOf(controlPlane, v);
    return page.data("moveTargets", VolumeMoveForm.targets(pools, v)).data("poolNames", VolumeMoveForm.names(pools));
  }

  /** Moves the volume to another pool of its array (online), then shows it MOVING. */
  @POST
  @Path("/{id}/move")
  @RolesAllowed("tenant-admin")
  public Response move(@PathParam("id") UUID id, @RestForm String poolId, @RestForm String key,
      @Context HttpHeaders headers) {
    return Submit.form(headers, VolumeMoveForm.check(poolId), () -> {
      controlPlane.moveVolume(id, Htmx.idempotencyKey(key), new io.strata.console.api.ControlPlane.VolumeMove(
          UUID.fromString(poolId))).close();
      return "/volumes/" + id;
    }, (errors, fragment) -> moveSection(id, errors, key));
  }

  /** Cancels the volume's move (it goes back to the pool it came from), then shows it moving back. */
  @POST
  @Path("/{id}/move/cancel")
  @RolesAllowed("tenant-admin")
  public Response cancelMove(@PathParam("id") UUID id, @RestForm String key, @Context HttpHeaders headers) {
    return Submit.form(headers, Map.of(), () -> {
      controlPlane.cancelVolumeMove(id, Htmx.idempotencyKey(key)).close();
      return "/volumes/" + id;
    }, (errors, fragment) -> moveSection(id, errors, key));
  }

  /** The page's move section as the volume is now, with the control plane's refusal. */
  private String moveSection(UUID id, Map<String, String> errors, String key) {
    VolumeView v = controlPlane.volume(id).readEntity(VolumeView.class);
    return withMove(volume.getFragment("move").data("volume", v), v)
        .data("moveErrors", errors).data("key", key).render();
  }

  @POST
  @Path("/{id}/change")
  @RolesAllowed("tenant-admin")
  public Response change(@PathParam("id") UUID id, @BeanParam VolumeChangeForm form, @Context HttpHeaders headers) {
    return Submit.form(headers, formErrors.check(form), () -> {
      controlPlane.updateVolume(id, form.etag, new VolumeUpdate(Forms.longOrNull(form.sizeGib),
          Forms.intOrNull(form.qosIopsLimit), Forms.intOrNull(form.qosMbpsLimit),
          form.tierPin == null || form.tierPin.isBlank() ? null : form.tierPin)).close();
      return "/volumes/" + id;
    }, (errors, fragment) -> volume.getFragment("change").data("volume", controlPlane.volume(id).readEntity(VolumeView.class))
        .data("change", form).data("errors", errors).render());
  }

  @POST
  @Path("/{id}/delete")
  @RolesAllowed("tenant-admin")
  public Response delete(@PathParam("id") UUID id, @Context HttpHeaders headers) {
    controlPlane.deleteVolume(id).close();
    return Htmx.redirect(headers, "/volumes/" + id);
  }

  @POST
  @Path("/{id}/snapshots")
  @RolesAllowed("tenant-admin")
  public Response snapshot(@PathParam("id") UUID id, @RestForm String name, @RestForm String key,
      @Context HttpHeaders headers) {
    controlPlane.createSnapshot(Htmx.idempotencyKey(key), new SnapshotCreate(id, name)).close();
    return Htmx.redirect(headers, "/volumes/" + id);
  }

  /** Retries the FAILED volume, then shows the volume. */
  @POST
  @Path("/{id}/retry")
  @RolesAllowed("tenant-admin")
  public Response retry(@PathParam("id") UUID id, @Context HttpHeaders headers) {
    return retryButton.post(headers, "volumes", id, () -> controlPlane.retryVolume(id), () -> "/volumes/" + id);
  }
}
