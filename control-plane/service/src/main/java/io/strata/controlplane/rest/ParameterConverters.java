package io.strata.controlplane.rest;

import io.strata.controlplane.rest.problem.ApiException;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.ext.ParamConverter;
import jakarta.ws.rs.ext.ParamConverterProvider;
import jakarta.ws.rs.ext.Provider;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Query, path and header parameters that do not parse answer 400 naming the parameter
 * ({@code limit: must be an integer}), not the bare 404 that JAX-RS gives by default for an
 * unconvertible query or path parameter: the resource exists, the request is wrong.
 */
@Provider
public class ParameterConverters implements ParamConverterProvider {

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public <T> ParamConverter<T> getConverter(Class<T> rawType, Type genericType, Annotation[] annotations) {
    String name = parameterName(annotations);
    if (name == null) {
      return null;
    }
    if (rawType == UUID.class) {
      return (ParamConverter<T>) new Strict<>(name, ParameterConverters::uuid,
          "must be a UUID (8-4-4-4-12 hex digits)");
    }
    if (rawType == Integer.class) {
      return (ParamConverter<T>) new Strict<>(name, Integer::valueOf, "must be an integer");
    }
    if (rawType == Long.class) {
      return (ParamConverter<T>) new Strict<>(name, Long::valueOf, "must be an integer");
    }
    if (rawType == java.time.Instant.class) {
      return (ParamConverter<T>) new Strict<>(name, ParameterConverters::instant,
          "must be an instant in ISO-8601 UTC form, e.g. 2026-12-07T08:00:00Z");
    }
    if (rawType.isEnum()) {
      Class<? extends Enum> type = (Class<? extends Enum>) rawType;
      return (ParamConverter<T>) new Strict<>(name, v -> Enum.valueOf(type, v),
          "must be one of " + Arrays.toString(type.getEnumConstants()));
    }
    return null;
  }

  private static final Pattern CANONICAL_UUID =
      Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

  /** Only the canonical form: UUID.fromString also takes "1-2-3-4-5". */
  private static UUID uuid(String value) {
    if (!CANONICAL_UUID.matcher(value).matches()) {
      throw new IllegalArgumentException("not a UUID");
    }
    return UUID.fromString(value);
  }

  private static java.time.Instant instant(String value) {
    try {
      return java.time.Instant.parse(value);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("not an instant", e);
    }
  }

  private static String parameterName(Annotation[] annotations) {
    for (Annotation a : annotations) {
      if (a instanceof QueryParam q) {
        return q.value();
      }
      if (a instanceof PathParam p) {
        return p.value();
      }
      if (a instanceof HeaderParam h) {
        return h.value();
      }
    }
    return null;
  }

  /** Parses with {@code parse}; anything it refuses is a 400 naming the parameter. */
  private record Strict<T>(String name, Function<String, T> parse, String rule) implements ParamConverter<T> {
    @Override
    public T fromString(String value) {
      if (value == null) {
        return null;
      }
      try {
        return parse.apply(value);
      } catch (IllegalArgumentException e) {
        // a WebApplicationException passes the parameter handler unchanged (others become 404)
        throw new WebApplicationException(ApiException.badRequest(name, rule), 400);
      }
    }

    @Override
    public String toString(T value) {
      return value == null ? null : value.toString();
    }
  }
}
