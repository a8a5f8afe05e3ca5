package io.strata.billing.rest;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.strata.billing.metering.ReadingStore;
import io.strata.billing.rating.RatingException;
import io.strata.billing.service.ProblemException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.format.DateTimeParseException;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error of the API as RFC 9457 problem details. */
public class ProblemMappers {

  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  @ServerExceptionMapper
  public Response problem(ProblemException e, UriInfo uri) {
    return respond(e.status(), e.title(), e.getMessage(), uri);
  }

  @ServerExceptionMapper
  public Response rating(RatingException e, UriInfo uri) {
    return respond(409, "Usage cannot be priced", e.getMessage(), uri);
  }

  @ServerExceptionMapper
  public Response lateReading(ReadingStore.LateReadingException e, UriInfo uri) {
    return respond(e.status, e.status == 404 ? "Not found" : "Conflict", e.getMessage(), uri);
  }

  @ServerExceptionMapper
  public Response invalid(ConstraintViolationException e, UriInfo uri) {
    String detail = e.getConstraintViolations().stream()
        .map(v -> lastNode(v.getPropertyPath().toString()) + " " + v.getMessage())
        .sorted()
        .collect(Collectors.joining("; "));
    return respond(400, "Invalid request", detail, uri);
  }

  @ServerExceptionMapper
  public Response badValue(DateTimeParseException e, UriInfo uri) {
    return respond(400, "Invalid request", "not a valid date or period: " + e.getParsedString(), uri);
  }

  @ServerExceptionMapper
  public Response unauthorized(UnauthorizedException e, UriInfo uri) {
    return respond(401, "Unauthorized", "a valid bearer token from the strata realm is required", uri);
  }

  @ServerExceptionMapper
  public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
    return respond(401, "Unauthorized", "the bearer token was not accepted", uri);
  }

  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e, UriInfo uri) {
    return respond(403, "Forbidden", "your role does not allow this", uri);
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e, UriInfo uri) {
    int status = e.getResponse().getStatus();
    return respond(status, Response.Status.fromStatusCode(status) == null ? "Error" : Response.Status.fromStatusCode(status).getReasonPhrase(),
        e.getMessage(), uri);
  }

  @ServerExceptionMapper
  public Response unexpected(RuntimeException e, UriInfo uri) {
    LOG.error("unexpected error on " + uri.getPath(), e);
    return respond(500, "Internal error", "the billing service failed; the error is in its log", uri);
  }

  private static String lastNode(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? path : path.substring(dot + 1);
  }

  static Response respond(int status, String title, String detail, UriInfo uri) {
    return Response.status(status)
        .type(Problem.MEDIA_TYPE)
        .entity(new Problem("about:blank", title, status, detail, uri == null ? null : uri.getPath()))
        .build();
  }
}
