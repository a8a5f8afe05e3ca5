package io.strata.console.web;

import io.strata.console.api.ApiProblem;
import io.strata.console.forms.FormErrors;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The one way every form is submitted: check the console's copy of the rules, send to the API,
 * and either go to the new object's page or show the form again with the API's own messages.
 */
final class Submit {
  private Submit() {}

  /**
   * @param change does the change and answers the console page to go to
   * @param form renders the form with errors; {@code true} asks for the form's fragment only (htmx)
   */
  static Response form(HttpHeaders headers, Map<String, String> errors, Supplier<String> change,
      BiFunction<Map<String, String>, Boolean, String> form) {
    if (errors.isEmpty()) {
      try {
        return Htmx.redirect(headers, change.get());
      } catch (ApiProblem problem) {
        errors = FormErrors.fromProblem(problem, Map.of());
      }
    }
    boolean htmx = Htmx.isHtmx(headers);
    return Response.status(htmx ? 200 : 422).type(MediaType.TEXT_HTML_TYPE).entity(form.apply(errors, htmx)).build();
  }
}
