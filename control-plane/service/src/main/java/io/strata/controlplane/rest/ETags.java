package io.strata.controlplane.rest;

import io.strata.controlplane.rest.problem.ApiException;

/** Entity tags are the row's optimistic-lock version: {@code "<version>"}. */
public final class ETags {
  private ETags() {}

  public static String of(long version) {
    return "\"" + version + "\"";
  }

  /**
   * The version the client read, from If-Match; 428 when absent (an update must say what it
   * updates), 400 when unreadable.
   */
  public static long required(String ifMatch) {
    if (ifMatch == null || ifMatch.isBlank()) {
      throw ApiException.preconditionRequired();
    }
    String v = ifMatch.trim();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    v = v.replace("\"", "");
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("If-Match", "not an ETag of this API: " + ifMatch);
    }
  }

  /** 412 unless the client's version is the current one. */
  public static void check(String ifMatch, long currentVersion) {
    long expected = required(ifMatch);
    if (expected != currentVersion) {
      throw ApiException.preconditionFailed(currentVersion);
    }
  }
}
