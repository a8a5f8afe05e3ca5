package io.strata.console.web;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.security.ForbiddenException;
import io.strata.console.api.ApiProblem;
import jakarta.inject.Inject;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Errors as pages that say what happened and what to try, never a stack trace: an API's problem
 * details, a service that does not answer, a screen the user's role does not open.
 */
public class ErrorPages {
  private static final Logger LOG = Logger.getLogger(ErrorPages.class);

  @Inject
  @Location("error.html")
  Template error;

  @ServerExceptionMapper
  public Response apiProblem(ApiProblem problem) {
    int status = problem.status() >= 500 ? 502 : problem.status();
    return page(status, problem.title() == null ? "The request failed" : problem.title(), problem.detail());
  }

  @ServerExceptionMapper
  public Response unreachable(ProcessingException e) {
    LOG.warnf("an API did not answer: %s", e.getMessage());
    ApiProblem p = ApiProblem.unreachable("A Strata service", e);
    return page(503, p.title(), p.detail());
  }

  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e) {
    return page(403, "Not for your role",
        "Your account's role does not open this screen. The navigation shows the screens you can use.");
  }

  @ServerExceptionMapper
  public Response notFound(NotFoundException e) {
    return page(404, "No such page", "Check the address, or start again from the dashboard.");
  }

  private Response page(int status, String title, String detail) {
    return Response.status(status)
        .type(MediaType.TEXT_HTML_TYPE)
        .entity(error.data("status", status).data("title", title).data("detail", detail).render())
        .build();
  }
}
