package io.strata.controlplane.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.controlplane.domain.IdempotencyRecord;
import io.strata.controlplane.replicas.ReplicaLocks;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.security.SecretBox;
import io.strata.controlplane.rest.problem.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Idempotency-Key on creates: the first answer is stored in the same transaction as the created
 * rows, and a retry with the same key (same caller, same endpoint) gets that answer again. The
 * same key with a different body is refused (422): it is a client bug, not a retry. Requests with
 * the same key are serialised (an advisory lock on the key), so a retry racing its original gets
 * the original's answer too.
 */
@ApplicationScoped
public class Idempotency {
  public static final String HEADER = "Idempotency-Key";
  public static final String REPLAYED_HEADER = "Idempotent-Replayed";

  @Inject ObjectMapper json;
  @Inject SecretBox secrets;
  @Inject ReplicaLocks locks;

  /**
   * What a create returns: where the object lives and its representation; status 201, or 202 for
   * an asynchronous action whose location is the Operation to poll.
   */
  public record Created(URI location, Object body, String etag, int status) {
    public Created(URI location, Object body, String etag) {
      this(location, body, etag, 201);
    }

    /** 202 Accepted: {@code operation} is where to poll, {@code body} the Operation. */
    public static Created accepted(URI operation, Object body) {
      return new Created(operation, body, null, 202);
    }
  }

  @Transactional
  public Response create(String key, String scope, Object request, Supplier<Created> create) {
    if (key == null) {
      return respond(create.get());
    }
    if (key.isBlank() || key.length() > 255) {
      throw ApiException.badRequest(HEADER, "must be 1 to 255 characters");
    }
    String hash = hash(request);
    IdempotencyRecord.Key id = new IdempotencyRecord.Key(scope, key);
    // A client whose first attempt timed out may send again while that attempt is still being
    // created (on this replica or another): without the lock both would find no record and both
    // create, the second failing on a unique name (409) or creating a twin. With it the retry
    // waits for the original's commit and then replays its answer.
    locks.lockIdempotencyKey(scope, key);
    IdempotencyRecord previous = IdempotencyRecord.findById(id);
    if (previous != null) {
      if (!previous.requestHash.equals(hash)) {
        throw new ApiException(
            new Problem(422, "idempotency-key-reused", "Idempotency-Key reused",
                "this Idempotency-Key was used for a different request"));
      }
      Response.ResponseBuilder rb =
          Response.status(previous.status).type(MediaType.APPLICATION_JSON).entity(previous.body)
              .header(REPLAYED_HEADER, "true");
      if (previous.location != null) {
        rb.location(URI.create(previous.location));
        if (previous.status == 202) {
          rb.header(io.strata.controlplane.rest.Responses.OPERATION_LOCATION, previous.location);
        }
      }
      return rb.build();
    }
    Created created = create.get();
    IdempotencyRecord record = new IdempotencyRecord();
    record.key = id;
    record.requestHash = hash;
    record.status = created.status();
    record.location = created.location() == null ? null : created.location().toString();
    record.body = write(created.body());
    record.createdAt = Instant.now();
    record.persist();
    return respond(created);
  }

  private static Response respond(Created created) {
    Response.ResponseBuilder rb = Response.status(created.status()).entity(created.body());
    if (created.location() != null) {
      rb.location(created.location());
      if (created.status() == 202) {
        rb.header(io.strata.controlplane.rest.Responses.OPERATION_LOCATION, created.location());
      }
    }
    if (created.etag() != null) {
      rb.header("ETag", created.etag());
    }
    return rb.build();
  }

  /** Keyed, since a request may carry a CHAP secret (SecretBox.fingerprint says why). */
  private String hash(Object request) {
    return secrets.fingerprint(write(request));
  }

  private String write(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass(), e);
    }
  }
}
