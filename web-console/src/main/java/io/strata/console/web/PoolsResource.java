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
import jakarta.ws.rs.PathParam;
import io.strata.console.api.ApiProblem;
import io.strata.console.api.ControlPlane.ArrayDriveView;
import io.strata.console.api.ControlPlane.PoolView;
import java.util.List;
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
  @Inject Template pool;
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

  /**
   * One pool: its rebuild and scrub (polled while one runs), and the buttons to scrub, replace a
   * drive, grow the pool by free drives and (RAID5/6) set the pace of its restripes.
   */
  @GET
  @Path("/{id}")
  public TemplateInstance show(@PathParam("id") UUID id) {
    PoolView p = controlPlane.pool(id);
    return activity(pool, p, null);
  }

  /** The live part of the pool page. */
  @GET
  @Path("/{id}/activity")
  public String activityFragment(@PathParam("id") UUID id) {
    return activity(pool.getFragment("activity"), controlPlane.pool(id), null).render();
  }

  private TemplateInstance activity(Template template, PoolView p, String problem) {
    return withActivity(template.instance(), p, problem);
  }

  private TemplateInstance withActivity(TemplateInstance t, PoolView p, String problem) {
    List<ArrayDriveView> drives;
    try {
      drives = controlPlane.arrayDrives(p.arrayId());
    } catch (ApiProblem e) {
      drives = List.of();
    }
    List<ArrayDriveView> members = drives.stream()
        .filter(d -> p.id().equals(d.poolId()) && "MEMBER".equals(d.role())).toList();
    // the array's free drives of the pool's type: what the pool can grow by
    List<ArrayDriveView> free = drives.stream()
        .filter(d -> d.poolId() == null && p.driveType().equals(d.type())).toList();
    boolean parity = "RAID5".equals(p.protection()) || "RAID6".equals(p.protection());
    t = t.data("pool", p).data("activity", PoolActivity.of(p)).data("members", members).data("free", free)
        .data("parity", parity).data("restripeRate", p.restripe() == null ? 0 : p.restripe().rateMbps());
    return problem == null ? t : t.data("problem", problem);
  }

  /** Scrub now; a refusal shows the API's detail in the activity section. */
  @POST
  @Path("/{id}/scrub")
  @RolesAllowed("tenant-admin")
  public Response scrub(@PathParam("id") UUID id, @Context HttpHeaders headers) {
    return poolAction(headers, id, () -> controlPlane.scrubPool(id, Map.of()));
  }

  /** Replaces a member drive with a free drive of the array the control plane picks. */
  @POST
  @Path("/{id}/replace")
  @RolesAllowed("tenant-admin")
  public Response replace(@PathParam("id") UUID id, @RestForm UUID driveId, @Context HttpHeaders headers) {
    return poolAction(headers, id, () -> controlPlane.replacePoolDrive(id, driveId, Map.of()));
  }

  /**
   * Grows the pool by the free drives ticked (RAID1/10: pairs; RAID5/6: any number, restriped onto
   * in the background at the pace given, or the pool's). The control plane's refusal (an odd count
   * for a mirror, a pool with cache or tiers, ...) shows in the activity section.
   */
  @POST
  @Path("/{id}/grow")
  @RolesAllowed("tenant-admin")
  public Response grow(@PathParam("id") UUID id, @RestForm("driveIds") List<UUID> driveIds,
      @RestForm String restripeRateMbps, @Context HttpHeaders headers) {
    if (driveIds == null || driveIds.isEmpty()) {
      return poolProblem(headers, id, "Tick the free drives the pool should take.");
    }
    Map<String, Object> body = new java.util.HashMap<>();
    body.put("driveIds", driveIds);
    if (restripeRateMbps != null && !restripeRateMbps.isBlank()) {
      Integer rate = rateOrNull(restripeRateMbps);
      if (rate == null) {
        return poolProblem(headers, id, RATE_MESSAGE);
      }
      body.put("restripeRateMbps", rate);
    }
    return poolAction(headers, id, () -> controlPlane.growPool(id, body));
  }

  /** Sets how fast the pool's restripes onto added drives move data (RAID5/6). */
  @POST
  @Path("/{id}/restripe-rate")
  @RolesAllowed("tenant-admin")
  public Response restripeRate(@PathParam("id") UUID id, @RestForm String rateMbps, @Context HttpHeaders headers) {
    Integer rate = rateOrNull(rateMbps);
    if (rate == null) {
      return poolProblem(headers, id, RATE_MESSAGE);
    }
    return poolAction(headers, id, () -> controlPlane.setRestripePolicy(id, Map.of("rateMbps", rate)));
  }

  static final String RATE_MESSAGE = "Restripe pace: give a whole number of MiB/s from 0 (no limit) to 10000.";

  /** A pace the control plane accepts (0-10000 MiB/s), or null. */
  static Integer rateOrNull(String text) {
    if (text == null || !text.strip().matches("[0-9]{1,5}")) {
      return null;
    }
    int rate = Integer.parseInt(text.strip());
    return rate <= 10000 ? rate : null;
  }

  /** The pool page (or, for htmx, its activity section) with {@code problem} shown, nothing sent. */
  private Response poolProblem(HttpHeaders headers, UUID id, String problem) {
    String html = Htmx.isHtmx(headers)
        ? activity(pool.getFragment("activity"), controlPlane.pool(id), problem).render()
        : activity(pool, controlPlane.pool(id), problem).render();
    return Response.ok(html, MediaType.TEXT_HTML_TYPE).build();
  }

  private Response poolAction(HttpHeaders headers, UUID id, java.util.function.Supplier<Response> change) {
    try {
      change.get().close();
    } catch (ApiProblem problem) {
      if (!Htmx.isHtmx(headers)) {
        throw problem;
      }
      return poolProblem(headers, id, problem.detail());
    }
    if (Htmx.isHtmx(headers)) {
      return Response.ok(activity(pool.getFragment("activity"), controlPlane.pool(id), null).render(),
          MediaType.TEXT_HTML_TYPE).build();
    }
    return Htmx.redirect(headers, "/pools/" + id);
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
