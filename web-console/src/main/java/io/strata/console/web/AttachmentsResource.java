package io.strata.console.web;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.strata.console.api.ControlPlane.AttachmentCreate;
import io.strata.console.api.ControlPlane.AttachmentView;
import io.strata.console.api.ControlPlaneClient;
import io.strata.console.api.SideBySide;
import io.strata.console.forms.FormErrors;
import io.strata.console.forms.Forms;
import io.strata.console.forms.Forms.AttachmentForm;
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

/** Attachments (a volume given to a server as a LUN), each with the commands to attach it. */
@Path("/attachments")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({"tenant-admin", "tenant-member"})
public class AttachmentsResource {

  @Inject Template attachments;
  @Inject Template attachment;
  @Inject FormErrors formErrors;
  @Inject @RestClient ControlPlaneClient controlPlane;
  @Inject RetryButton retryButton;
  @Inject io.strata.console.api.SideBySide sideBySide;

  @GET
  public TemplateInstance list(@QueryParam("volumeId") UUID volumeId, @QueryParam("serverId") UUID serverId,
      @QueryParam("cursor") String cursor) {
    AttachmentForm form = new AttachmentForm();
    form.volumeId = volumeId == null ? "" : volumeId.toString();
    form.serverId = serverId == null ? "" : serverId.toString();
    return page(volumeId, serverId, cursor, form, Map.of());
  }

  private TemplateInstance page(UUID volumeId, UUID serverId, String cursor, AttachmentForm form,
      Map<String, String> errors) {
    String filter = (volumeId == null ? "" : "volumeId=" + volumeId + "&") + (serverId == null ? "" : "serverId=" + serverId + "&");
    var volumes = sideBySide.start(() -> VolumePicker.of(controlPlane, volumeId));
    var servers = sideBySide.start(() -> controlPlane.servers(null, 500));
    return attachments.data("page", controlPlane.attachments(cursor, 50, volumeId, serverId))
        .data("volumes", SideBySide.join(volumes))
        .data("servers", SideBySide.join(servers))
        .data("cursor", cursor == null ? "" : cursor).data("base", "/attachments?" + filter)
        .data("form", form).data("errors", errors).data("key", UUID.randomUUID().toString());
  }

  @POST
  @RolesAllowed("tenant-admin")
  public Response create(@BeanParam AttachmentForm form, @RestForm String key, @Context HttpHeaders headers) {
    return Submit.form(headers, formErrors.check(form), () -> {
      AttachmentView a = controlPlane.createAttachment(Htmx.idempotencyKey(key), new AttachmentCreate(
          UUID.fromString(form.volumeId), UUID.fromString(form.serverId), Forms.intOrNull(form.lun),
          Forms.checked(form.readOnly))).readEntity(AttachmentView.class);
      return "/attachments/" + a.id();
    }, (errors, fragment) -> page(null, null, null, form, errors).data("key", key).render());
  }

  @GET
  @Path("/{id}")
  public TemplateInstance show(@PathParam("id") UUID id) {
    AttachmentView a = controlPlane.attachment(id);
    return attachment.data("attachment", a)
        .data("commands", a.connection() == null ? "" : AttachCommands.linux(a.connection()))
        .data("settled", !"ATTACHING".equals(a.state()));
  }

  @POST
  @Path("/{id}/delete")
  @RolesAllowed("tenant-admin")
  public Response delete(@PathParam("id") UUID id, @Context HttpHeaders headers) {
    controlPlane.deleteAttachment(id).close();
    return Htmx.redirect(headers, "/attachments/" + id);
  }

  /** Retries the FAILED attachment, then shows the attachment. */
  @POST
  @Path("/{id}/retry")
  @RolesAllowed("tenant-admin")
  public Response retry(@PathParam("id") UUID id, @Context HttpHeaders headers) {
    return retryButton.post(headers, "attachments", id, () -> controlPlane.retryAttachment(id), () -> "/attachments/" + id);
  }
}
