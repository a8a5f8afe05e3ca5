package io.strata.csi;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.strata.csi.api.ApiException;
import io.strata.csi.api.ControlPlaneClient.ControlPlaneUnreachable;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Runs one call and turns what went wrong into the gRPC status CSI asks for. */
public final class GrpcErrors {

  private static final Logger LOG = Logger.getLogger(GrpcErrors.class.getName());
  private static final Set<String> NO_ROOM = Set.of("pool-full", "quota-exceeded", "placement-failed");
  private static final Set<String> NOT_NOW = Set.of("volume-attached", "volume-has-snapshots", "illegal-state",
      "multi-attach-not-allowed", "shrink-not-allowed", "array-not-accepting", "volume-moving",
      "rollback-in-progress", "not-enough-drives");

  private GrpcErrors() {}

  public static <T> void answer(StreamObserver<T> out, Callable<T> call) {
    T answer;
    try {
      answer = call.call();
    } catch (Exception e) {
      StatusRuntimeException status = status(e);
      if (status.getStatus().getCode() == Status.Code.INTERNAL) {
        LOG.log(Level.WARNING, "call failed", e);
      }
      out.onError(status);
      return;
    }
    out.onNext(answer);
    out.onCompleted();
  }

  public static StatusRuntimeException invalid(String field, String message) {
    return Status.INVALID_ARGUMENT.withDescription(field + ": " + message).asRuntimeException();
  }

  public static StatusRuntimeException status(Exception e) {
    if (e instanceof StatusRuntimeException s) {
      return s;
    }
    if (e instanceof ControlPlaneUnreachable) {
      return Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof ApiException api) {
      return Status.fromCode(code(api)).withDescription(api.getMessage()).asRuntimeException();
    }
    if (e instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    return Status.INTERNAL.withDescription(e.toString()).asRuntimeException();
  }

  static Status.Code code(ApiException e) {
    String kind = e.kind();
    if (NO_ROOM.contains(kind)) {
      return Status.Code.RESOURCE_EXHAUSTED;
    }
    if (kind.equals("already-exists") || kind.equals("idempotency-key-reused") || kind.equals("name-taken")) {
      return Status.Code.ALREADY_EXISTS;
    }
    if (NOT_NOW.contains(kind)) {
      return Status.Code.FAILED_PRECONDITION;
    }
    return switch (e.status()) {
      case 400, 413, 414, 422 -> Status.Code.INVALID_ARGUMENT;
      case 401 -> Status.Code.UNAUTHENTICATED;
      case 403 -> Status.Code.PERMISSION_DENIED;
      case 404 -> Status.Code.NOT_FOUND;
      case 409, 412, 428 -> Status.Code.ABORTED;
      default -> e.status() >= 500 ? Status.Code.UNAVAILABLE : Status.Code.UNKNOWN;
    };
  }
}
