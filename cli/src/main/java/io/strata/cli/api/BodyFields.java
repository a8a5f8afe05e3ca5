package io.strata.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.cli.CliException;
import io.strata.cli.ExitCode;
import io.strata.cli.http.Http;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A request body from the command line: {@code field=value} (a whole number, {@code true},
 * {@code false} and {@code null} are JSON values, anything else a string), {@code field:=json}
 * (any JSON: a list, an object, a quoted number) and dotted fields for nested objects
 * ({@code admin.email=a@b.c}). Given after a file's document, they override its fields.
 */
public final class BodyFields {
  private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,17})");
  private static final Pattern FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

  private BodyFields() {}

  public static ObjectNode parse(JsonNode base, List<String> arguments) {
    ObjectNode body = base == null ? JsonNodeFactory.instance.objectNode() : requireObject(base, "the file");
    for (String argument : arguments) {
      int raw = argument.indexOf(":=");
      int eq = argument.indexOf('=');
      if (eq <= 0) {
        throw new CliException(ExitCode.USAGE, "'" + argument + "' is not FIELD=VALUE or FIELD:=JSON");
      }
      boolean isRaw = raw > 0 && raw < eq;
      String field = argument.substring(0, isRaw ? raw : eq);
      String text = argument.substring(isRaw ? raw + 2 : eq + 1);
      if (!FIELD.matcher(field).matches()) {
        throw new CliException(ExitCode.USAGE, "'" + field + "' is not a field name (letters, digits, _ and dots for nesting)");
      }
      JsonNode value = isRaw ? json(field, text) : inferred(text);
      put(body, field, value);
    }
    return body;
  }

  static JsonNode inferred(String text) {
    if (INTEGER.matcher(text).matches()) {
      return JsonNodeFactory.instance.numberNode(Long.parseLong(text));
    }
    return switch (text) {
      case "true" -> JsonNodeFactory.instance.booleanNode(true);
      case "false" -> JsonNodeFactory.instance.booleanNode(false);
      case "null" -> JsonNodeFactory.instance.nullNode();
      default -> JsonNodeFactory.instance.textNode(text);
    };
  }

  private static JsonNode json(String field, String text) {
    try {
      return Http.JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new CliException(ExitCode.USAGE, field + ":= is not JSON: " + e.getOriginalMessage());
    }
  }

  private static void put(ObjectNode body, String field, JsonNode value) {
    String[] parts = field.split("\\.");
    ObjectNode node = body;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = node.get(parts[i]);
      if (child == null || !child.isObject()) {
        child = node.putObject(parts[i]);
      }
      node = (ObjectNode) child;
    }
    node.set(parts[parts.length - 1], value);
  }

  private static ObjectNode requireObject(JsonNode node, String what) {
    if (!node.isObject()) {
      throw new CliException(ExitCode.USAGE, what + " must hold a JSON object");
    }
    return node.deepCopy();
  }
}
