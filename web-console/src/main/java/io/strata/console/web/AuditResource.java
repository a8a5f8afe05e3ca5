package io.strata.console.web;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.strata.console.api.MonitoringClient;
import io.strata.console.session.CurrentUser;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** The audit log: the tenant's own entries, or every entry for an operator, filtered and paged. */
@Path("/audit")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({"tenant-admin", "tenant-member", "operator"})
public class AuditResource {

  @Inject Template audit;
  @Inject CurrentUser user;
  @Inject @RestClient MonitoringClient monitoring;

  @GET
  public TemplateInstance list(@QueryParam("actor") String actor, @QueryParam("action") String action,
      @QueryParam("result") String result, @QueryParam("mark") String mark, @QueryParam("cursor") String cursor) {
    Map<String, String> filters = new LinkedHashMap<>();
    filters.put("actor", blankToNull(actor));
    filters.put("action", blankToNull(action));
    filters.put("result", blankToNull(result));
    filters.put("mark", blankToNull(mark));
    var page = user.isOperator()
        ? monitoring.allAudit(filters.get("actor"), filters.get("action"), filters.get("result"), filters.get("mark"), cursor, 50)
        : monitoring.audit(filters.get("actor"), filters.get("action"), filters.get("result"), filters.get("mark"), cursor, 50);
    StringBuilder base = new StringBuilder("/audit?");
    filters.forEach((k, v) -> {
      if (v != null) {
        base.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&');
      }
    });
    return audit.data("page", page).data("cursor", cursor == null ? "" : cursor).data("base", base.toString())
        .data("actor", orEmpty(filters.get("actor"))).data("action", orEmpty(filters.get("action")))
        .data("result", orEmpty(filters.get("result"))).data("mark", orEmpty(filters.get("mark")));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
