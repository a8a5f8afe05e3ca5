package io.strata.console.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.ext.ResponseExceptionMapper;

/** Turns every error answer of an API into an {@link ApiProblem}, keeping the server's messages. */
public class ProblemMapper implements ResponseExceptionMapper<ApiProblem> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public ApiProblem toThrowable(Response response) {
    String text = bodyOf(response);
    try {
      ApiProblem.Body body = JSON.readValue(text, ApiProblem.Body.class);
      String detail = body.detail() != null ? body.detail() : body.title();
      return new ApiProblem(response.getStatus(), body.title(), describe(response.getStatus(), detail), body.errors(),
          body.reason());
    } catch (Exception notProblemJson) {
      return new ApiProblem(response.getStatus(), "HTTP " + response.getStatus(), describe(response.getStatus(), null), null);
    }
  }

  private static String bodyOf(Response response) {
    try {
      return response.hasEntity() ? response.readEntity(String.class) : "";
    } catch (IllegalStateException | jakarta.ws.rs.ProcessingException notReadable) {
      return response.getEntity() instanceof String s ? s : "";
    }
  }

  /** What the user reads: the server's detail, or what the status means to them. */
  static String describe(int status, String detail) {
    if (detail != null && !detail.isBlank()) {
      return detail;
    }
    return switch (status) {
      case 401 -> "Your sign-in was not accepted by the service. Sign out and sign in again.";
      case 403 -> "Your account is not allowed to do this. Ask your tenant admin.";
      case 404 -> "It does not exist any more; it may have been deleted.";
      case 409 -> "It is in a state that does not allow this right now.";
      case 412 -> "Someone changed it since you loaded the page. Reload and try again.";
      default -> "The service answered with status " + status + ".";
    };
  }
}
