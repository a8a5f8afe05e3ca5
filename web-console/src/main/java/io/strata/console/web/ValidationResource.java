package io.strata.console.web;

import io.strata.console.forms.FormErrors;
import io.strata.console.forms.Forms;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.Map;

/**
 * Validation as you type: a field posts its value here (htmx, after a short pause in typing) and
 * gets back its message element, empty when the value is fine.
 */
@Path("/validate")
public class ValidationResource {

  static final Map<String, Class<?>> FORMS = Map.ofEntries(
      Map.entry("array", Forms.ArrayForm.class),
      Map.entry("pool", Forms.PoolForm.class),
      Map.entry("volume", Forms.VolumeForm.class),
      Map.entry("volume-change", Forms.VolumeChangeForm.class),
      Map.entry("server", Forms.ServerForm.class),
      Map.entry("attachment", Forms.AttachmentForm.class),
      Map.entry("snapshot", Forms.SnapshotForm.class),
      Map.entry("policy", Forms.PolicyForm.class),
      Map.entry("tenant", Forms.TenantForm.class),
      Map.entry("drives", Forms.DriveAddForm.class),
      Map.entry("plan", Forms.PlanForm.class));

  @Inject FormErrors formErrors;

  @POST
  @Path("/{form}/{field}")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces(MediaType.TEXT_HTML)
  public String field(@PathParam("form") String form, @PathParam("field") String field,
      MultivaluedMap<String, String> values) {
    Class<?> type = FORMS.get(form);
    if (type == null || !field.matches("[A-Za-z]{1,40}")) {
      throw new NotFoundException();
    }
    String message = formErrors.checkField(type, field, values.getFirst(field));
    return "<small id=\"err-" + field + "\" class=\"field-error\" aria-live=\"polite\">" + escape(message)
        + "</small>";
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
