package io.strata.console.web;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.strata.console.api.ControlPlane.CloneCreate;
import io.strata.console.api.ControlPlane.PolicyCreate;
import io.strata.console.api.ApiProblem;
import io.strata.console.api.ControlPlane.SnapshotCreate;
import io.strata.console.api.ControlPlane.SnapshotView;
import io.strata.console.api.ControlPlane.VolumeRollback;
import io.strata.console.api.ControlPlane.VolumeView;
import io.strata.console.api.ControlPlaneClient;
import io.strata.console.api.SideBySide;
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

/** Snapshots (take, clone, roll back, delete) and snapshot schedules. */
@Path("/snapshots")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({"tenant-admin", "tenant-member"})
public class SnapshotsResource {

  @Inject Template snapshots;
  @Inject Template rollback;
  @Inject FormErrors formErrors;
  @Inject @RestClient ControlPlaneClient controlPlane;
  @Inject RetryButton retryButton;
  @Inject io.strata.console.api.SideBySide sideBySide;

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
    var policies = sideBySide.start(() -> controlPlane.policies(null, 100, volumeId));
    var volumes = sideBySide.start(() -> VolumePicker.of(controlPlane, volumeId));
    return snapshots.data("page", controlPlane.snapshots(cursor, 50, volumeId))
        .data("policies", SideBySide.join(policies))
        .data("volumes", SideBySide.join(volumes))
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

  /** The confirmation before a roll-back: what is lost, and whether the volume must be detached first. */
  @GET
  @Path("/{id}/rollback")
  public TemplateInstance confirmRollback(@PathParam("id") UUID id) {
    return rollbackPage(controlPlane.snapshot(id), null, false, null).data("key", UUID.randomUUID().toString());
  }

  private TemplateInstance rollbackPage(SnapshotView snapshot, String problem, boolean forceOffered, String forceError) {
    var attachments = sideBySide.start(() -> controlPlane.attachments(null, 50, snapshot.volumeId(), null));
    VolumeView volume = controlPlane.volume(snapshot.volumeId()).readEntity(VolumeView.class);
    return rollback.data("snapshot", snapshot).data("volume", volume)
        .data("attachments", SideBySide.join(attachments))
        .data("problem", problem).data("forceOffered", forceOffered).data("forceError", forceError);
  }

  /**
   * Asks the control plane to roll the snapshot's volume back, then shows the volume, which
   * follows the roll-back until it is online again. The control plane refuses (409) while the
   * volume is attached: its message is shown, with the forced roll-back offered behind a second,
   * explicit confirmation ({@code confirmForce=yes}, and a dialog when JavaScript runs).
   */
  @POST
  @Path("/{id}/rollback")
  @RolesAllowed("tenant-admin")
  public Response rollBack(@PathParam("id") UUID id, @RestForm String key, @RestForm String force,
      @RestForm String confirmForce, @Context HttpHeaders headers) {
    SnapshotView snapshot = controlPlane.snapshot(id);
    boolean forced = "true".equals(force);
    String formKey = Htmx.idempotencyKey(key);
    if (forced && !"yes".equals(confirmForce)) {
      return again(headers, 422, rollbackPage(snapshot, null, true,
          "tick the box to confirm that no server uses the volume now").data("key", formKey));
    }
    try {
      // a forced retry is a new request: the refused one's key keeps its refusal
      controlPlane.rollbackVolume(snapshot.volumeId(), forced ? formKey + "-force" : formKey,
          new VolumeRollback(id, forced ? Boolean.TRUE : null)).close();
    } catch (ApiProblem problem) {
      // force is offered only for what force overrides: servers attached (not a snapshot that is not ready)
      boolean attached = problem.status() == 409 && ("attached".equals(problem.reason())
          || problem.reason() == null && !controlPlane.attachments(null, 1, snapshot.volumeId(), null).isEmpty());
      return again(headers, problem.status(), rollbackPage(snapshot, problem.detail(), attached, null)
          .data("key", formKey));
    }
    return Htmx.redirect(headers, "/volumes/" + snapshot.volumeId());
  }

  /** The confirmation again, with what went wrong: htmx swaps only 2xx answers in. */
  private static Response again(HttpHeaders headers, int status, TemplateInstance page) {
    return Response.status(Htmx.isHtmx(headers) ? 200 : status).type(MediaType.TEXT_HTML_TYPE)
        .entity(page.render()).build();
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

  /** Retries the FAILED snapshot, then shows the snapshot (its volume's page lists it). */
  @POST
  @Path("/{id}/retry")
  @RolesAllowed("tenant-admin")
  public Response retry(@PathParam("id") UUID id, @Context HttpHeaders headers) {
    return retryButton.post(headers, "snapshots", id, () -> controlPlane.retrySnapshot(id),
        () -> "/volumes/" + controlPlane.snapshot(id).volumeId());
  }
}
