package io.strata.console.web;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.strata.console.api.ApiProblem;
import io.strata.console.api.ControlPlane.ArrayCreate;
import io.strata.console.api.ControlPlane.ArrayView;
import io.strata.console.api.ControlPlaneClient;
import io.strata.console.api.SideBySide;
import io.strata.console.forms.FormErrors;
import io.strata.console.forms.Forms;
import io.strata.console.forms.Forms.ArrayForm;
import io.strata.console.forms.Forms.DriveAddForm;
import io.strata.console.api.ControlPlane.DriveAdd;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.resteasy.reactive.RestForm;

/** The tenant's arrays (VPSAs): list, create, and follow one until it is online. */
@Path("/arrays")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({"tenant-admin", "tenant-member"})
public class ArraysResource {

  /** Array states in the order a new array passes through them, for the progress bar. */
  static final List<String> STEPS = List.of("REQUESTED", "PLACING", "PROVISIONING", "ONLINE");

  @Inject Template arrays;
  @Inject Template array;
  @Inject FormErrors formErrors;
  @Inject @RestClient ControlPlaneClient controlPlane;
  @Inject RetryButton retryButton;
  @Inject io.strata.console.api.SideBySide sideBySide;

  @GET
  public TemplateInstance list(@QueryParam("cursor") String cursor, @QueryParam("state") String state) {
    return arrays.data("page", controlPlane.arrays(cursor, 25, blank(state)))
        .data("state", state == null ? "" : state)
        .data("cursor", cursor == null ? "" : cursor)
        .data("base", state == null || state.isBlank() ? "/arrays?" : "/arrays?state=" + state + "&")
        .data("form", ArrayForm.initial())
        .data("errors", Map.of())
        .data("key", UUID.randomUUID().toString());
  }

  @POST
  @RolesAllowed("tenant-admin")
  public Response create(@BeanParam ArrayForm form, @RestForm String key, @Context HttpHeaders headers) {
    Map<String, String> errors = formErrors.check(form);
    if (errors.isEmpty()) {
      try {
        ArrayView created = controlPlane.createArray(Htmx.idempotencyKey(key),
            new ArrayCreate(form.name, form.engineSize, Forms.blankToNull(form.spread),
                Forms.intOrNull(form.ssdDrives), Forms.intOrNull(form.hddDrives), form.highAvailabilityAsked()));
        return Htmx.redirect(headers, "/arrays/" + created.id());
      } catch (ApiProblem problem) {
        errors = FormErrors.fromProblem(problem, Map.of());
      }
    }
    TemplateInstance page = arrays.data("form", form).data("errors", errors).data("key", key);
    if (Htmx.isHtmx(headers)) {
      return Response.ok(page.getFragment("create").data("form", form).data("errors", errors).data("key", key).render()).build();
    }
    return Response.status(422).entity(page.data("page", controlPlane.arrays(null, 25, null))
        .data("state", "").data("cursor", "").data("base", "/arrays?").render()).build();
  }

  @GET
  @Path("/{id}")
  public TemplateInstance show(@PathParam("id") UUID id) {
    var drives = sideBySide.start(() -> drivesOrEmpty(id));
    var volumes = sideBySide.start(() -> controlPlane.volumes(null, 50, id, null, null));
    ArrayView a = controlPlane.array(id);
    DriveAddForm form = new DriveAddForm();
    form.type = "SSD";
    form.count = "1";
    return array.data("array", a).data("progress", Progress.of(a)).data("drives", SideBySide.join(drives))
        .data("volumes", SideBySide.join(volumes))
        .data("driveForm", form).data("driveErrors", Map.of()).data("driveKey", UUID.randomUUID().toString());
  }

  /** More drives for the array from the nodes' free drives; the API's quota and capacity messages show in the form. */
  @POST
  @Path("/{id}/drives")
  @RolesAllowed("tenant-admin")
  public Response addDrives(@PathParam("id") UUID id, @BeanParam DriveAddForm form, @RestForm String key,
      @Context HttpHeaders headers) {
    return Submit.form(headers, formErrors.check(form), () -> {
      controlPlane.addDrives(id, Htmx.idempotencyKey(key), new DriveAdd(form.type, Forms.intOrNull(form.count)));
      return "/arrays/" + id;
    }, (errors, fragmentOnly) -> {
      TemplateInstance page = fragmentOnly ? array.getFragment("drives").instance() : show(id);
      return page.data("array", controlPlane.array(id)).data("drives", drivesOrEmpty(id)).data("driveForm", form)
          .data("driveErrors", errors).data("driveKey", key).render();
    });
  }

  /** Gives a free drive back; a drive in a pool is refused by the API with its reason. */
  @POST
  @Path("/{id}/drives/{driveId}/remove")
  @RolesAllowed("tenant-admin")
  public Response removeDrive(@PathParam("id") UUID id, @PathParam("driveId") UUID driveId, @Context HttpHeaders headers) {
    controlPlane.removeDrive(id, driveId).close();
    return Htmx.redirect(headers, "/arrays/" + id);
  }

  /** The live part of the array page: polled by htmx every two seconds until the array settles. */
  @GET
  @Path("/{id}/progress")
  public String progress(@PathParam("id") UUID id) {
    ArrayView a = controlPlane.array(id);
    return array.getFragment("progress").data("array", a).data("progress", Progress.of(a)).render();
  }

  @POST
  @Path("/{id}/delete")
  @RolesAllowed("tenant-admin")
  public Response delete(@PathParam("id") UUID id, @Context HttpHeaders headers) {
    controlPlane.deleteArray(id).close();
    return Htmx.redirect(headers, "/arrays/" + id);
  }

  private List<?> drivesOrEmpty(UUID id) {
    try {
      return controlPlane.arrayDrives(id);
    } catch (ApiProblem p) {
      return List.of();
    }
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /**
   * Where an array is on its way to online: a percentage, whether it got there (settled), and
   * whether the page keeps polling. A DEGRADED array is settled but still watched: it heals on
   * its own (a lending node's export comes up a moment after the engine, a node comes back), and
   * a page that stopped polling there showed DEGRADED for good.
   */
  public record Progress(int percent, boolean settled, boolean failed, String step, boolean polling) {
    public static Progress of(ArrayView a) {
      String s = a.state() == null ? "REQUESTED" : a.state();
      int index = STEPS.indexOf(s);
      boolean failed = "FAILED".equals(s);
      boolean settled = failed || "ONLINE".equals(s) || "DEGRADED".equals(s) || "DELETED".equals(s)
          || "HIBERNATED".equals(s);
      int percent = index < 0 ? (settled ? 100 : 50) : (index * 100) / (STEPS.size() - 1);
      return new Progress(percent, settled, failed, s, !settled || "DEGRADED".equals(s));
    }
  }

  /**
   * Resize (issue 18): the control plane checks the node's room; accepted, the array page follows
   * RESIZING until the engine serves at the new size; refused, the engine section shows why.
   */
  @POST
  @Path("/{id}/resize")
  @RolesAllowed("tenant-admin")
  public Response resize(@PathParam("id") UUID id, @RestForm String engineSize, @Context HttpHeaders headers) {
    return engineAction(headers, id, () -> controlPlane.resizeArray(id, Map.of("engineSize",
        engineSize == null ? "" : engineSize)));
  }

  /** Hibernate: the engines stop (initiators are asked to log out), the drives and data stay. */
  @POST
  @Path("/{id}/hibernate")
  @RolesAllowed("tenant-admin")
  public Response hibernate(@PathParam("id") UUID id, @Context HttpHeaders headers) {
    return engineAction(headers, id, () -> controlPlane.hibernateArray(id));
  }

  /** Resume a HIBERNATED array: its engines start again if their nodes have room. */
  @POST
  @Path("/{id}/resume")
  @RolesAllowed("tenant-admin")
  public Response resume(@PathParam("id") UUID id, @Context HttpHeaders headers) {
    return engineAction(headers, id, () -> controlPlane.resumeArray(id));
  }

  /** Runs one engine change; on a refusal htmx gets the engine section again with the API's detail. */
  private Response engineAction(HttpHeaders headers, UUID id, java.util.function.Supplier<Response> change) {
    try {
      change.get().close();
    } catch (ApiProblem problem) {
      if (!Htmx.isHtmx(headers)) {
        throw problem;
      }
      return Response.ok(array.getFragment("engine").data("array", controlPlane.array(id))
          .data("engineProblem", problem.detail()).render(), MediaType.TEXT_HTML_TYPE).build();
    }
    return Htmx.redirect(headers, "/arrays/" + id);
  }

  /** Retries the FAILED array, then shows the array. */
  @POST
  @Path("/{id}/retry")
  @RolesAllowed("tenant-admin")
  public Response retry(@PathParam("id") UUID id, @Context HttpHeaders headers) {
    return retryButton.post(headers, "arrays", id, () -> controlPlane.retryArray(id), () -> "/arrays/" + id);
  }
}
