package io.strata.billing.rest;

import io.strata.billing.service.ProblemException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;

/**
 * Path and query parameters read by hand, so that a malformed one is a 400 naming it (JAX-RS
 * answers a bare 404 for a path or query parameter it cannot convert).
 */
final class Params {

  /** An object id: a positive integer. */
  static long id(String name, String value) {
    long id = integer(name, value);
    if (id < 1) {
      throw ProblemException.badRequest(name, "must be a positive integer");
    }
    return id;
  }

  /** An integer from {@code min} to {@code max}; {@code fallback} when absent. */
  static int intIn(String name, String value, int fallback, int min, int max) {
    if (value == null) {
      return fallback;
    }
    long number = integer(name, value);
    if (number < min || number > max) {
      throw ProblemException.badRequest(name, "must be from " + min + " to " + max);
    }
    return (int) number;
  }

  /** A UTC month, {@code YYYY-MM}. */
  static YearMonth period(String name, String value) {
    if (value == null || !value.matches("\\d{4}-\\d{2}")) {
      throw ProblemException.badRequest(name, "must be a month as YYYY-MM");
    }
    try {
      return YearMonth.parse(value);
    } catch (DateTimeParseException e) {
      throw ProblemException.badRequest(name, "must be a month as YYYY-MM");
    }
  }

  /** A required ISO-8601 instant such as {@code 2026-10-01T00:00:00Z}. */
  static Instant instant(String name, String value) {
    if (value == null) {
      throw ProblemException.badRequest(name, "is required (an ISO-8601 instant such as 2026-10-01T00:00:00Z)");
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw ProblemException.badRequest(name, "must be an ISO-8601 instant such as 2026-10-01T00:00:00Z");
    }
  }

  /** One of the export formats. */
  static String format(String value) {
    if (!"csv".equals(value) && !"json".equals(value)) {
      throw ProblemException.badRequest("format", "must be csv or json");
    }
    return value;
  }

  private static long integer(String name, String value) {
    if (value == null || !value.matches("-?\\d{1,18}")) {
      throw ProblemException.badRequest(name, "must be an integer");
    }
    return Long.parseLong(value);
  }

  private Params() {}
}
