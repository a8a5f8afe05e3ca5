package io.strata.billing.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.strata.billing.metering.ReadingStore;
import io.strata.billing.rating.RatingException;
import io.strata.billing.rest.Problem.FieldError;
import io.strata.billing.service.ProblemException;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error of the API as RFC 9457 problem details; a bad request names its field or parameter in {@code errors}. */
public class ProblemMappers {

  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  /** The name a problem gives to the request body as a whole (malformed JSON, trailing data). */
  static final String BODY = "body";

  @ServerExceptionMapper
  public Response problem(ProblemException e, UriInfo uri) {
    return respond(e.status(), e.title(), e.getMessage(), e.errors(), uri);
  }

  @ServerExceptionMapper
  public Response rating(RatingException e, UriInfo uri) {
    return respond(409, "Usage cannot be priced", e.getMessage(), null, uri);
  }

  @ServerExceptionMapper
  public Response lateReading(ReadingStore.LateReadingException e, UriInfo uri) {
    return respond(e.status, e.status == 404 ? "Not found" : "Conflict", "id: " + e.getMessage(),
        List.of(new FieldError("id", e.getMessage())), uri);
  }

  @ServerExceptionMapper
  public Response invalid(ConstraintViolationException e, UriInfo uri) {
    List<FieldError> errors = e.getConstraintViolations().stream()
        .map(v -> new FieldError(fieldOf(v.getPropertyPath()), v.getMessage()))
        .sorted(Comparator.comparing(FieldError::field).thenComparing(FieldError::message))
        .toList();
    return invalid(errors, uri);
  }

  /**
   * Where a violation is, as a client wrote it: {@code name}, {@code rates["storage:SSD"]}, or the
   * bare name of a path or query parameter ({@code tenant}); the method and the body parameter's
   * own name are left out.
   */
  static String fieldOf(Path path) {
    List<Path.Node> nodes = new ArrayList<>();
    path.forEach(nodes::add);
    StringBuilder field = new StringBuilder();
    for (int i = 0; i < nodes.size(); i++) {
      Path.Node node = nodes.get(i);
      ElementKind kind = node.getKind();
      boolean last = i == nodes.size() - 1;
      if (kind == ElementKind.METHOD || kind == ElementKind.CONSTRUCTOR || kind == ElementKind.CROSS_PARAMETER
          || kind == ElementKind.RETURN_VALUE || (kind == ElementKind.PARAMETER && !last)) {
        continue;
      }
      if (node.isInIterable()) {
        field.append(node.getKey() != null ? "[\"" + node.getKey() + "\"]" : "[" + node.getIndex() + "]");
      }
      if (kind != ElementKind.CONTAINER_ELEMENT && kind != ElementKind.BEAN && node.getName() != null) {
        field.append(field.length() == 0 ? "" : ".").append(node.getName());
      }
    }
    return field.length() == 0 ? BODY : field.toString();
  }

  /** Jackson's errors, more specific than Quarkus's own mappers for them, so that these are chosen. */
  @ServerExceptionMapper(priority = 1)
  public Response invalidFormat(InvalidFormatException e, UriInfo uri) {
    return json(e, uri);
  }

  @ServerExceptionMapper(priority = 1)
  public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
    return json(e, uri);
  }

  @ServerExceptionMapper(priority = 1)
  public Response json(JsonProcessingException e, UriInfo uri) {
    String field;
    String message;
    if (e instanceof UnrecognizedPropertyException u) {
      field = pathOf(u);
      message = "unknown field";
    } else if (e instanceof InvalidFormatException f) {
      field = pathOf(f);
      message = "cannot read " + abbreviate(String.valueOf(f.getValue())) + " as " + describe(f.getTargetType());
    } else if (e instanceof MismatchedInputException m && m.getPath().isEmpty()) {
      field = BODY;
      message = abbreviate(m.getOriginalMessage()); // trailing data, an empty body, a body of the wrong kind
    } else if (e instanceof JsonMappingException m) {
      field = pathOf(m);
      message = m instanceof MismatchedInputException mi && mi.getTargetType() != null
          ? "must be " + describe(mi.getTargetType()) : "invalid value";
    } else {
      // a parse error: malformed JSON, a duplicate key; the parser knows where it stood
      field = e.getProcessor() instanceof JsonParser parser ? pathOf(parser.getParsingContext()) : BODY;
      message = abbreviate(e.getOriginalMessage());
    }
    return invalid(List.of(new FieldError(field, message)), uri);
  }

  private static Response invalid(List<FieldError> errors, UriInfo uri) {
    String detail = errors.stream().map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; "));
    return respond(400, "Invalid request", detail, errors, uri);
  }

  private static String describe(Class<?> type) {
    if (type.isEnum()) {
      return "one of " + java.util.Arrays.toString(type.getEnumConstants());
    }
    return switch (type.getSimpleName()) {
      case "long", "Long", "int", "Integer" -> "an integer";
      case "boolean", "Boolean" -> "true or false";
      case "BigDecimal" -> "a decimal number";
      case "String" -> "a string";
      case "Instant" -> "an ISO-8601 instant";
      default -> type.getSimpleName().startsWith("Map") ? "an object" : "a " + type.getSimpleName();
    };
  }

  private static String abbreviate(String s) {
    String oneLine = s == null ? "" : s.replaceAll("\\p{Cntrl}", " ");
    return oneLine.length() > 120 ? oneLine.substring(0, 120) + "…" : oneLine;
  }

  private static String pathOf(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFrom() instanceof Map<?, ?> && ref.getFieldName() != null) {
        path.append("[\"").append(ref.getFieldName()).append("\"]");
      } else if (ref.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.length() == 0 ? BODY : path.toString();
  }

  /** Where a parser stood when it failed: {@code rates}, {@code name}, or the body itself. */
  private static String pathOf(JsonStreamContext context) {
    List<String> parts = new ArrayList<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        parts.add(0, "[" + Math.max(0, c.getCurrentIndex()) + "]");
      } else if (c.getCurrentName() != null) {
        parts.add(0, (c.getParent() != null && !c.getParent().inRoot() ? "." : "") + c.getCurrentName());
      }
    }
    String path = String.join("", parts);
    return path.isEmpty() ? BODY : path;
  }

  @ServerExceptionMapper
  public Response unauthorized(UnauthorizedException e, UriInfo uri) {
    return respond(401, "Unauthorized", "a valid bearer token from the strata realm is required", null, uri);
  }

  @ServerExceptionMapper
  public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
    return respond(401, "Unauthorized", "the bearer token was not accepted", null, uri);
  }

  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e, UriInfo uri) {
    return respond(403, "Forbidden", "your role does not allow this", null, uri);
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e, UriInfo uri) {
    // the JSON reader wraps Jackson's errors; unwrap them to name the field
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof JsonProcessingException json) {
        return json(json, uri);
      }
    }
    int status = e.getResponse().getStatus();
    Response.Status known = Response.Status.fromStatusCode(status);
    String part = partOf(status);
    String message = e.getMessage() == null ? "not accepted" : abbreviate(e.getMessage());
    return respond(status, known == null ? "Error" : known.getReasonPhrase(), part + ": " + message,
        List.of(new FieldError(part, message)), uri);
  }

  /** The part of the request an HTTP-level refusal is about (no resource at the path, a method it lacks, ...). */
  private static String partOf(int status) {
    return switch (status) {
      case 404 -> "path";
      case 405 -> "method";
      case 406 -> "Accept";
      case 413 -> BODY;
      case 415 -> "Content-Type";
      default -> "request";
    };
  }

  @ServerExceptionMapper
  public Response unexpected(RuntimeException e, UriInfo uri) {
    LOG.error("unexpected error on " + uri.getPath(), e);
    return respond(500, "Internal error", "the billing service failed; the error is in its log", null, uri);
  }

  static Response respond(int status, String title, String detail, List<FieldError> errors, UriInfo uri) {
    Response.ResponseBuilder response = Response.status(status)
        .type(Problem.MEDIA_TYPE)
        .entity(new Problem("about:blank", title, status, detail, uri == null ? null : uri.getRequestUri().getRawPath(), errors));
    if (status == 401) {
      response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"strata\"");
    }
    return response.build();
  }
}
