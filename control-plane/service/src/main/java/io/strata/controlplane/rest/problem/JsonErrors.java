package io.strata.controlplane.rest.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.UUID;
import java.util.stream.Collectors;

/** Where in a request body Jackson stopped, and why, in words a client can act on. */
final class JsonErrors {
  /** The field name for errors about the document as a whole (trailing data, not JSON at all). */
  static final String WHOLE_BODY = "body";

  private JsonErrors() {}

  /** A dotted path such as {@code drives[0].count}, or {@link #WHOLE_BODY}. */
  static String locationOf(JsonProcessingException e) {
    String path = "";
    if (e instanceof JsonMappingException m) {
      path = pathOf(m);
    } else if (e instanceof StreamReadException r && r.getProcessor() != null) {
      path = pathOf(r.getProcessor().getParsingContext());
    }
    return path.isEmpty() ? WHOLE_BODY : path;
  }

  static String messageOf(JsonProcessingException e) {
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (e instanceof UnrecognizedPropertyException u) {
      return "unknown field; this object has " + u.getKnownPropertyIds().stream()
          .map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }
    if (e instanceof InvalidFormatException f) {
      return "cannot read " + abbreviate(String.valueOf(f.getValue())) + ": " + expected(f.getTargetType());
    }
    if (e instanceof MismatchedInputException m) {
      if (original.startsWith("Trailing token")) {
        return "unexpected data after the JSON value";
      }
      if (original.startsWith("No content to map")) {
        return "a JSON object is required";
      }
      return m.getTargetType() == null ? "invalid value" : expected(m.getTargetType());
    }
    if (e instanceof InputCoercionException c) {
      return "out of range: " + expected(c.getTargetType());
    }
    if (e instanceof StreamConstraintsException) {
      return "too large or too deeply nested: " + abbreviate(original);
    }
    if (original.startsWith("Duplicate field")) {
      return "given more than once";
    }
    if (e instanceof JsonMappingException) {
      return "invalid value";
    }
    return "malformed JSON: " + abbreviate(original);
  }

  /** What a value of {@code type} must look like. */
  private static String expected(Class<?> type) {
    if (type == null) {
      return "invalid value";
    }
    if (type.isEnum()) {
      return "must be one of " + Arrays.toString(type.getEnumConstants());
    }
    if (type == Integer.class || type == int.class) {
      return "must be an integer from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE
          + " (a JSON number without fraction, not in quotes)";
    }
    if (type == Long.class || type == long.class || type == Short.class || type == short.class) {
      return "must be an integer (a JSON number without fraction, not in quotes)";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "must be true or false";
    }
    if (type == String.class) {
      return "must be a string";
    }
    if (type == UUID.class) {
      return "must be a UUID string";
    }
    if (type.isRecord() || !type.getName().startsWith("java.")) {
      return "must be a JSON object";
    }
    return "must be a " + type.getSimpleName();
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? "'" + s.substring(0, 80) + "…'" : "'" + s + "'";
  }

  private static String pathOf(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  /** The parser's position as a dotted path, for errors below the data binding (duplicates, ranges). */
  private static String pathOf(JsonStreamContext context) {
    Deque<String> parts = new ArrayDeque<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inObject() && c.getCurrentName() != null) {
        parts.addFirst("." + c.getCurrentName());
      } else if (c.inArray()) {
        parts.addFirst("[" + Math.max(c.getCurrentIndex(), 0) + "]");
      }
    }
    String path = String.join("", parts);
    return path.startsWith(".") ? path.substring(1) : path;
  }
}
