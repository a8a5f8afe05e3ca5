package io.strata.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prints an API answer as a table for people, or as JSON or YAML for scripts. Tables: a list (a
 * JSON array, or a page's {@code items}) is one row per object with a column per scalar field
 * (id, name and state first; {@code --columns} chooses); one object is a FIELD/VALUE listing with
 * nested fields as dotted paths.
 */
public final class Printer {
  /** Columns shown when --columns does not say: more would not fit a terminal. */
  static final int MAX_AUTO_COLUMNS = 8;
  /** A cell longer than this is cut (tables are for reading; -o json has everything). */
  static final int MAX_CELL = 60;
  private static final List<String> FIRST = List.of("id", "name", "alias", "state");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper YAML = new YAMLMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .build());

  private Printer() {}

  public static void print(JsonNode value, Format format, List<String> columns, PrintWriter out) {
    switch (format) {
      case JSON -> out.println(write(JSON, value));
      case YAML -> out.print(write(YAML, value));
      case TABLE -> table(value, columns, out);
    }
    out.flush();
  }

  private static String write(ObjectMapper mapper, JsonNode value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static void table(JsonNode value, List<String> columns, PrintWriter out) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return;
    }
    if (value.isObject() && value.path("items").isArray()) {
      rows(value.path("items"), columns, out);
    } else if (value.isArray()) {
      rows(value, columns, out);
    } else if (value.isObject()) {
      List<String[]> lines = new ArrayList<>();
      lines.add(new String[] {"FIELD", "VALUE"});
      flatten("", value, lines);
      align(lines, out);
    } else {
      out.println(value.asText());
    }
  }

  private static void rows(JsonNode items, List<String> columns, PrintWriter out) {
    if (items.isEmpty()) {
      out.println("(none)");
      return;
    }
    if (!items.get(0).isObject()) {
      items.forEach(i -> out.println(cell(i)));
      return;
    }
    List<String> cols = columns == null || columns.isEmpty() ? autoColumns(items) : columns;
    List<String[]> lines = new ArrayList<>();
    lines.add(cols.stream().map(Printer::header).toArray(String[]::new));
    for (JsonNode item : items) {
      lines.add(cols.stream().map(c -> cell(at(item, c))).toArray(String[]::new));
    }
    align(lines, out);
  }

  /** id, name, alias, state first, then the other scalar fields of the items, in their order. */
  static List<String> autoColumns(JsonNode items) {
    Set<String> scalar = new LinkedHashSet<>();
    for (JsonNode item : items) {
      for (Iterator<Map.Entry<String, JsonNode>> it = item.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (!f.getValue().isContainerNode()) {
          scalar.add(f.getKey());
        }
      }
    }
    List<String> cols = new ArrayList<>();
    FIRST.stream().filter(scalar::contains).forEach(cols::add);
    scalar.stream().filter(c -> !cols.contains(c)).forEach(cols::add);
    return cols.subList(0, Math.min(cols.size(), MAX_AUTO_COLUMNS));
  }

  /** The value at a dotted path ({@code connection.targetIqn}). */
  static JsonNode at(JsonNode node, String path) {
    JsonNode n = node;
    for (String part : path.split("\\.")) {
      n = n.path(part);
    }
    return n;
  }

  /** {@code sizeGib} → {@code SIZE_GIB}. */
  static String header(String column) {
    return column.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(java.util.Locale.ROOT);
  }

  static String cell(JsonNode v) {
    String s;
    if (v == null || v.isMissingNode() || v.isNull()) {
      s = "-";
    } else if (v.isArray() && allScalar(v)) {
      List<String> parts = new ArrayList<>();
      v.forEach(e -> parts.add(e.asText()));
      s = String.join(",", parts);
    } else if (v.isContainerNode()) {
      s = v.toString();
    } else {
      s = v.asText();
    }
    // one line per row, whatever the text holds
    s = s.replaceAll("\\p{Cntrl}", " ");
    return s.length() > MAX_CELL ? s.substring(0, MAX_CELL - 1) + "…" : s;
  }

  private static boolean allScalar(JsonNode array) {
    for (JsonNode e : array) {
      if (e.isContainerNode()) {
        return false;
      }
    }
    return true;
  }

  private static void flatten(String prefix, JsonNode node, List<String[]> lines) {
    if (node.isObject() && !node.isEmpty()) {
      node.fields().forEachRemaining(f -> flatten(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), lines));
    } else if (node.isArray() && !node.isEmpty() && !allScalar(node)) {
      for (int i = 0; i < node.size(); i++) {
        flatten(prefix + "[" + i + "]", node.get(i), lines);
      }
    } else {
      lines.add(new String[] {prefix, cell(node)});
    }
  }

  private static void align(List<String[]> lines, PrintWriter out) {
    int n = lines.get(0).length;
    int[] width = new int[n];
    for (String[] line : lines) {
      for (int i = 0; i < n; i++) {
        width[i] = Math.max(width[i], line[i].length());
      }
    }
    for (String[] line : lines) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < n; i++) {
        b.append(line[i]);
        if (i < n - 1) {
          b.append(" ".repeat(width[i] - line[i].length() + 2));
        }
      }
      out.println(b.toString().stripTrailing());
    }
  }
}
