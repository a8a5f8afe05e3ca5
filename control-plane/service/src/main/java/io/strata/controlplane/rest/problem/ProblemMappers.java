package io.strata.controlplane.rest.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.strata.controlplane.domain.IllegalTransitionException;
import io.strata.controlplane.scheduler.PlacementException;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.hibernate.StaleStateException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves the API as an RFC 9457 problem details body. */
public class ProblemMappers {
  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  /** Database constraints that users can hit, with the field they concern. */
  private static final Map<String, String[]> CONSTRAINT_FIELDS =
      Map.ofEntries(
          Map.entry("storage_array_name_per_tenant", new String[] {"name", "an array with this name exists"}),
          Map.entry("pool_array_id_name_key", new String[] {"name", "a pool with this name exists in the array"}),
          Map.entry("volume_name_per_array", new String[] {"name", "a volume with this name exists in the array"}),
          Map.entry("snapshot_name_per_volume", new String[] {"name", "a snapshot with this name exists for the volume"}),
          Map.entry("server_tenant_id_name_key", new String[] {"name", "a server with this name exists"}),
          Map.entry("server_tenant_id_iqn_key", new String[] {"iqn", "a server with this IQN exists"}),
          Map.entry("attachment_once_per_server", new String[] {"serverId", "the volume is already attached to this server"}),
          Map.entry("attachment_lun_per_server", new String[] {"lun", "this LUN is taken for the server"}),
          Map.entry("attachment_lun_one_volume_per_array", new String[] {"lun", "another volume of the array has this LUN"}),
          Map.entry("attachment_one_lun_per_volume", new String[] {"lun", "the volume has another LUN on this array"}),
          Map.entry("tenant_alias_key", new String[] {"alias", "a tenant with this alias exists"}),
          Map.entry("node_name_key", new String[] {"name", "a node with this name exists"}),
          Map.entry("drive_serial_key", new String[] {"serial", "a drive with this serial exists"}),
          Map.entry("snapshot_policy_volume_id_name_key", new String[] {"name", "a policy with this name exists for the volume"}),
          Map.entry("array_drive_once", new String[] {"driveId", "the drive is already given to an array"}));

  static Response respond(Problem problem, UriInfo uri) {
    if (problem.instance == null && uri != null) {
      problem.instance = uri.getRequestUri().getRawPath();
    }
    Response.ResponseBuilder rb = Response.status(problem.status).type(Problem.MEDIA_TYPE).entity(problem);
    if (problem.status == 401) {
      rb.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"strata\"");
    }
    return rb.build();
  }

  @ServerExceptionMapper
  public Response api(ApiException e, UriInfo uri) {
    return respond(e.problem(), uri);
  }

  @ServerExceptionMapper
  public Response transition(IllegalTransitionException e, UriInfo uri) {
    return respond(
        new Problem(409, "illegal-state", "Conflict", e.getMessage())
            .with("object", e.objectKind())
            .with("state", e.from())
            .with("requestedState", e.to())
            .with("reason", e.reason()),
        uri);
  }

  @ServerExceptionMapper
  public Response placement(PlacementException e, UriInfo uri) {
    return respond(
        new Problem(409, "placement-failed", "Cannot place the array", e.getMessage())
            .with("shortResource", e.shortResource()),
        uri);
  }

  @ServerExceptionMapper
  public Response validation(ConstraintViolationException e, UriInfo uri) {
    List<Problem.FieldError> errors = new ArrayList<>();
    for (ConstraintViolation<?> v : e.getConstraintViolations()) {
      errors.add(new Problem.FieldError(fieldOf(v.getPropertyPath()), v.getMessage()));
    }
    errors.sort(Comparator.comparing(Problem.FieldError::field));
    Problem p =
        new Problem(400, "invalid-request", "Invalid request",
            errors.stream().map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; ")));
    p.errors = errors;
    return respond(p, uri);
  }

  /** "create.body.drives[0].count" → "drives[0].count"; a bare parameter keeps its name. */
  static String fieldOf(Path path) {
    List<String> nodes = new ArrayList<>();
    Iterator<Path.Node> it = path.iterator();
    while (it.hasNext()) {
      Path.Node n = it.next();
      String name = n.getName() == null ? "" : n.getName();
      if (n.getIndex() != null && !nodes.isEmpty()) {
        int last = nodes.size() - 1;
        nodes.set(last, nodes.get(last) + "[" + n.getIndex() + "]");
      }
      if (!name.isEmpty()) {
        nodes.add(name);
      }
    }
    // method name, then parameter name, then the bean path
    if (nodes.size() > 2) {
      return String.join(".", nodes.subList(2, nodes.size()));
    }
    return nodes.isEmpty() ? "" : nodes.get(nodes.size() - 1);
  }

  /**
   * More specific than Quarkus's own MismatchedInputException mapper (which would answer without
   * naming the field), and of higher priority, so that ours is chosen; it covers its subclasses
   * (UnrecognizedPropertyException, InvalidFormatException) too.
   */
  @ServerExceptionMapper(priority = 1)
  public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
    return json(e, uri);
  }

  /**
   * A body Jackson refused (StrictJson): 400 naming where in the body, as a dotted path
   * ({@code drives[0].count}), or {@code body} for the document as a whole.
   */
  @ServerExceptionMapper(priority = 1)
  public Response json(JsonProcessingException e, UriInfo uri) {
    String field = JsonErrors.locationOf(e);
    String message = JsonErrors.messageOf(e);
    Problem p = new Problem(400, "invalid-request", "Invalid request", field + ": " + message);
    p.errors = List.of(new Problem.FieldError(field, message));
    return respond(p, uri);
  }

  @ServerExceptionMapper
  public Response unauthorized(UnauthorizedException e, UriInfo uri) {
    return respond(new Problem(401, "unauthorized", "Unauthorized", "a valid bearer token is required"), uri);
  }

  @ServerExceptionMapper
  public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
    return respond(new Problem(401, "unauthorized", "Unauthorized", "the bearer token is missing, invalid or expired"), uri);
  }

  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e, UriInfo uri) {
    return respond(new Problem(403, "forbidden", "Forbidden", "your role does not allow this request"), uri);
  }

  @ServerExceptionMapper
  public Response optimisticLock(OptimisticLockException e, UriInfo uri) {
    return concurrent(uri);
  }

  @ServerExceptionMapper
  public Response staleState(StaleStateException e, UriInfo uri) {
    return concurrent(uri);
  }

  private Response concurrent(UriInfo uri) {
    return respond(
        new Problem(409, "concurrent-modification", "Conflict",
            "the object was changed by another request at the same time; read it again and retry"),
        uri);
  }

  @ServerExceptionMapper
  public Response persistence(PersistenceException e, UriInfo uri) {
    org.hibernate.exception.ConstraintViolationException cv = find(e, org.hibernate.exception.ConstraintViolationException.class);
    if (cv != null) {
      return constraint(cv, uri);
    }
    return internal(e, uri);
  }

  /**
   * The database cannot be reached or has no writable primary just now (a failover takes seconds):
   * 503 with Retry-After, so that a client tells "try again" from a bug. A change in flight may or
   * may not have committed; retrying it with the same Idempotency-Key is safe either way.
   */
  private Response databaseUnavailable(Throwable e, UriInfo uri) {
    LOG.warnf("database unavailable: %s", rootMessage(e));
    Response problem = respond(new Problem(503, "database-unavailable", "Service Unavailable",
        "the database is not reachable just now (a failover takes seconds); retry shortly, with the same"
            + " Idempotency-Key for a change"), uri);
    return Response.fromResponse(problem).header(HttpHeaders.RETRY_AFTER, "2").build();
  }

  /**
   * Whether the failure is the database being away rather than the request: a lost or refused
   * connection (SQLSTATE class 08), the server shutting down or starting (57P01-57P03), a primary
   * turned read-only by a failover (25006), or no pooled connection to be had in time.
   */
  static boolean databaseAway(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.hibernate.exception.JDBCConnectionException
          || t instanceof java.sql.SQLTransientConnectionException
          || t instanceof java.sql.SQLNonTransientConnectionException) {
        return true;
      }
      if (t instanceof java.sql.SQLException sql) {
        String state = sql.getSQLState();
        if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
            || state.equals("57P03") || state.equals("25006"))) {
          return true;
        }
        if (sql.getMessage() != null && sql.getMessage().contains("acquisition timeout")) {
          return true;
        }
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  @ServerExceptionMapper
  public Response constraint(org.hibernate.exception.ConstraintViolationException e, UriInfo uri) {
    String name = e.getConstraintName() == null ? "" : e.getConstraintName();
    String[] field = CONSTRAINT_FIELDS.get(name);
    Problem p;
    if (field != null) {
      p = new Problem(409, "already-exists", "Conflict", field[0] + ": " + field[1]);
      p.errors = List.of(new Problem.FieldError(field[0], field[1]));
    } else {
      p = new Problem(409, "constraint-violated", "Conflict", "the request breaks the database rule " + name);
    }
    return respond(p.with("constraint", name), uri);
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e, UriInfo uri) {
    // a parameter converter's 400 (ParameterConverters) carries its problem
    ApiException api = find(e, ApiException.class);
    if (api != null) {
      return respond(api.problem(), uri);
    }
    // the JSON reader wraps Jackson's errors; unwrap them to name the field
    JsonProcessingException jsonError = find(e, JsonProcessingException.class);
    if (jsonError != null) {
      return json(jsonError, uri);
    }
    int status = e.getResponse().getStatus();
    String title = Response.Status.fromStatusCode(status) == null
        ? "Error" : Response.Status.fromStatusCode(status).getReasonPhrase();
    String slug = status == 404 ? "not-found" : status == 405 ? "method-not-allowed"
        : status == 415 ? "unsupported-media-type" : status == 406 ? "not-acceptable" : "http-" + status;
    return respond(new Problem(status, slug, title, e.getMessage()), uri);
  }

  @ServerExceptionMapper
  public Response internal(Throwable e, UriInfo uri) {
    // commit-time failures arrive wrapped (RollbackException, ArcUndeclaredThrowableException)
    org.hibernate.exception.ConstraintViolationException cv =
        find(e, org.hibernate.exception.ConstraintViolationException.class);
    if (cv != null) {
      return constraint(cv, uri);
    }
    if (find(e, StaleStateException.class) != null || find(e, OptimisticLockException.class) != null) {
      return concurrent(uri);
    }
    ApiException api = find(e, ApiException.class);
    if (api != null) {
      return respond(api.problem(), uri);
    }
    if (databaseAway(e)) {
      return databaseUnavailable(e, uri);
    }
    LOG.error("unexpected error", e);
    return respond(new Problem(500, "internal", "Internal error", "an unexpected error occurred; it was logged"), uri);
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
