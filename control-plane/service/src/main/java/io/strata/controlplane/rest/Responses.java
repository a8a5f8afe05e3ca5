package io.strata.controlplane.rest;

import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.UUID;

/** Small helpers for the answers every resource gives. */
public final class Responses {
  public static final String OPERATION_LOCATION = "Operation-Location";

  private Responses() {}

  /** 200 with the object's ETag. */
  public static Response ok(Object body, long version) {
    return Response.ok(body).tag(new jakarta.ws.rs.core.EntityTag(String.valueOf(version))).build();
  }

  /** 202: the change is accepted, the node will do it; poll the operation. */
  public static Response accepted(Object body, UUID operationId) {
    Response.ResponseBuilder rb = Response.accepted(body);
    if (operationId != null) {
      rb.header(OPERATION_LOCATION, operationUri(operationId));
    }
    return rb.build();
  }

  /** 202 with the operation itself as the body, and where to poll it. */
  public static Response operation(io.strata.controlplane.domain.Operation op) {
    return accepted(io.strata.controlplane.mapping.Views.operation(op), op.id);
  }

  public static URI operationUri(UUID id) {
    return URI.create("/api/v1/operations/" + id);
  }

  public static URI uri(String base, UUID id) {
    return URI.create(base + "/" + id);
  }
}
