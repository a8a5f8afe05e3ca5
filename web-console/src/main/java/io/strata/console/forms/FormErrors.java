package io.strata.console.forms;

import io.strata.console.api.ApiProblem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Field messages for a form: from the console's copy of the rules while the user types, and from
 * the API's problem details after a submit. A form template shows {@code errors.get(field)}
 * beside each field and {@code errors.get("")} above the form.
 */
@ApplicationScoped
public class FormErrors {

  /** The key of the message that belongs to the whole form rather than one field. */
  public static final String FORM = "_form";

  @Inject Validator validator;

  public Map<String, String> check(Object form) {
    Map<String, String> errors = new LinkedHashMap<>();
    for (ConstraintViolation<Object> v : validator.validate(form)) {
      errors.merge(v.getPropertyPath().toString(), v.getMessage(), (a, b) -> a + "; " + b);
    }
    return errors;
  }

  /** One field's message while typing; empty when the value is fine (or the field is unknown). */
  public String checkField(Class<?> formType, String field, String value) {
    try {
      Set<? extends ConstraintViolation<?>> violations = validator.validateValue(formType, field, value);
      return violations.isEmpty() ? "" : violations.iterator().next().getMessage();
    } catch (IllegalArgumentException unknownField) {
      return "";
    }
  }

  /** The API's answer as form errors; field names are mapped with {@code rename} (API name → form name). */
  public static Map<String, String> fromProblem(ApiProblem problem, Map<String, String> rename) {
    Map<String, String> errors = new LinkedHashMap<>();
    problem.fieldMessages().forEach((field, message) -> errors.put(rename.getOrDefault(field, field), message));
    errors.put(FORM, problem.detail());
    return errors;
  }
}
