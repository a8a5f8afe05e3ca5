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

  static final Map<String, Class<?>> FORMS = Map.of(
      "array", Forms.ArrayForm.class,
      "pool", Forms.PoolForm.class,
      "volume", Forms.VolumeForm.class,
      "volume-change", Forms.VolumeChangeForm.class,
      "server", Forms.ServerForm.class,
      "attachment", Forms.AttachmentForm.class,
      "snapshot", Forms.SnapshotForm.class,
      "policy", Forms.PolicyForm.class,
      "tenant", Forms.TenantForm.class);

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
