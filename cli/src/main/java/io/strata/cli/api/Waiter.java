package io.strata.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.cli.CliException;
import io.strata.cli.Environment;
import io.strata.cli.ExitCode;
import io.strata.cli.api.Endpoint.Service;
import io.strata.cli.http.ApiClient;
import io.strata.cli.http.Http;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * {@code --wait}: follows an asynchronous change to its outcome. The operation is the one the
 * answer's {@code Operation-Location} names, or for a create (201 with an object still on its way,
 * e.g. PROVISIONING) the pending operation on that object; it is polled until it is no longer
 * PENDING. On a terminal a spinner line on stderr says what is waited for, its state and for how
 * long. The result is the object as it is then (or the operation, when the object is gone).
 */
public final class Waiter {
  /** States of an object on its way somewhere: a create that answers with one has work pending. */
  static final Set<String> TRANSITIONAL = Set.of("REQUESTED", "PLACING", "PROVISIONING", "CREATING", "ATTACHING",
      "DETACHING", "DELETING", "RESIZING", "HIBERNATING", "RESUMING", "ROLLING_BACK", "MOVING", "ENROLLING");
  private static final Map<String, String> COLLECTION = Map.of("array", "arrays", "volume", "volumes",
      "pool", "pools", "snapshot", "snapshots", "attachment", "attachments");
  private static final String SPINNER = "|/-\\";

  private final ApiClient api;
  private final Environment env;
  private final Clock clock;
  private final Duration interval;

  public Waiter(ApiClient api, Environment env, Clock clock, Duration interval) {
    this.api = api;
    this.env = env;
    this.clock = clock;
    this.interval = interval;
  }

  /** Waits for what {@code reply} started; returns what to print (the reply's body when nothing is pending). */
  public JsonNode await(Http.Reply reply, Duration timeout) {
    JsonNode body = reply.json();
    String operationPath = reply.header("Operation-Location");
    if (operationPath == null && body.path("state").isTextual()
        && TRANSITIONAL.contains(body.path("state").asText()) && body.path("id").isTextual()) {
      operationPath = pendingOperationOn(body.path("id").asText());
    }
    if (operationPath == null) {
      return body;
    }
    return objectAfter(awaitOperation(pathOf(operationPath), timeout));
  }

  /** {@code operations get ID --wait}: follows that operation; FAILED is an error like any other wait. */
  public JsonNode awaitOperation(String operationPath, Duration timeout) {
    JsonNode operation = follow(operationPath, timeout);
    if ("FAILED".equals(operation.path("state").asText())) {
      throw new CliException(ExitCode.OPERATION_FAILED, "operation " + operation.path("id").asText() + " ("
          + operation.path("kind").asText() + ") FAILED: " + operation.path("error").asText("no reason given"));
    }
    return operation;
  }

  private String pendingOperationOn(String targetId) {
    JsonNode page = get("/api/v1/operations", Map.of("targetId", targetId, "state", "PENDING")).json();
    JsonNode first = page.path("items").path(0);
    return first.isMissingNode() ? null : "/api/v1/operations/" + first.path("id").asText();
  }

  private JsonNode follow(String path, Duration timeout) {
    Instant start = clock.instant();
    Instant deadline = start.plus(timeout);
    int tick = 0;
    try {
      while (true) {
        JsonNode op = get(path, Map.of()).json();
        String state = op.path("state").asText();
        if (!"PENDING".equals(state)) {
          return op;
        }
        if (!clock.instant().isBefore(deadline)) {
          throw new CliException(ExitCode.WAIT_TIMED_OUT, "operation " + op.path("id").asText() + " ("
              + op.path("kind").asText() + ") still PENDING after " + timeout.toSeconds()
              + " s; follow it with: strata operations get " + op.path("id").asText() + " --wait");
        }
        if (env.interactive) {
          long secs = Duration.between(start, clock.instant()).toSeconds();
          env.err.printf("\r%c %s %s %s: %s %ds ", SPINNER.charAt(tick++ % SPINNER.length()), op.path("kind").asText(),
              op.path("targetType").asText(), op.path("targetId").asText(), state, secs);
          env.err.flush();
        }
        env.sleep(interval);
      }
    } finally {
      if (env.interactive) {
        env.err.print("\r\033[K");
        env.err.flush();
      }
    }
  }

  private JsonNode objectAfter(JsonNode operation) {
    String collection = COLLECTION.get(operation.path("targetType").asText());
    if (collection == null) {
      return operation;
    }
    Http.Reply r = api.callRaw(new ApiClient.Request(Service.CONTROL_PLANE, "GET",
        "/api/v1/" + collection + "/" + operation.path("targetId").asText(), Map.of(), null, Map.of()));
    return r.ok() ? r.json() : operation;
  }

  private Http.Reply get(String path, Map<String, String> query) {
    return api.call(new ApiClient.Request(Service.CONTROL_PLANE, "GET", path, query, null, Map.of()));
  }

  /** Operation-Location may be absolute or a path. */
  static String pathOf(String location) {
    int scheme = location.indexOf("://");
    if (scheme < 0) {
      return location;
    }
    int slash = location.indexOf('/', scheme + 3);
    return slash < 0 ? "/" : location.substring(slash);
  }
}
