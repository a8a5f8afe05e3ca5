package io.strata.controlplane.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.engine.SourceOfRandomness;

/**
 * jqwik generators for ApiFuzzTest: JSON values of every kind a client could send where another
 * was meant (control characters, shell metacharacters, over-long text, fractions, huge and
 * non-finite numbers, numbers in quotes, nested objects), mutations of a valid request body at
 * the JSON and at the byte level, query parameters and path segments. One seed reproduces a run.
 */
final class FuzzInputs {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  enum Mutation {
    VALID, REPLACE, REPLACE_TWO, REMOVE, UNKNOWN_FIELD, DUPLICATE_KEY, TRAILING, TRUNCATE, BYTE_FLIP,
    WRONG_TOP_LEVEL, DEEP_NESTING
  }

  /** A request body as sent, with how it was made (for the failure message). */
  record Body(byte[] bytes, String how) {
    String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private final Random random;
  private final Iterator<JsonNode> values;
  private final Iterator<Mutation> mutations;
  private final Iterator<String> unknownNames;
  private final Iterator<String> trailers;
  private final Iterator<String> keys;
  private final Iterator<String> parameterValues;
  private final Iterator<String> segments;

  FuzzInputs(long seed) {
    this.random = new Random(seed);
    // Outside a jqwik property (this runs in a @QuarkusTest) jqwik samples with its thread's
    // source of randomness; seeding it makes a run reproducible from the seed alone.
    SourceOfRandomness.create(Long.toString(seed));
    Arbitrary<String> control = Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMinLength(1).ofMaxLength(3);
    Arbitrary<String> word = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8);
    Arbitrary<String> withControl = Combinators.combine(word, control, word).as((a, b, c) -> a + b + c);
    Arbitrary<String> anyText = Arbitraries.strings().all().ofMaxLength(40);
    Arbitrary<String> longText = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(64).ofMaxLength(400);
    Arbitrary<String> hostile = Arbitraries.of(
        "'; id #", "$(id)", "`id`", "a b", "-v", "a\nb", "\u0000", "\u202egnp.exe", "\ud800", "x\u2028y",
        "iqn.2026-11.example.fuzz:a\nb", "iqn.2026-11.Example.fuzz:UPPER", "eui.0123", "naa.0123456789abcdef",
        "E01", "SSD", "RAID1", "NONE", "", " ", "null", "true", "{}", "%00", "../..");
    Arbitrary<String> uuidText = Arbitraries.longs().tuple2().map(t -> new UUID(t.get1(), t.get2()).toString());
    Arbitrary<String> badUuid = Arbitraries.of("not-a-uuid", "1-2-3-4-5", "00000000-0000-0000-0000-00000000000g",
        "00000000000000000000000000000000", "{00000000-0000-0000-0000-000000000000}");
    Arbitrary<String> numberText = Arbitraries.integers().map(String::valueOf);
    // NUL on its own too: PostgreSQL refuses it in text, so it must never get that far
    Arbitrary<String> nulText = Arbitraries.of("\u0000", "a\u0000", "\u0000b", "x\u0000y");
    Arbitrary<String> text = Arbitraries.frequencyOf(
        Tuple.of(2, nulText), Tuple.of(3, withControl), Tuple.of(3, anyText), Tuple.of(2, longText), Tuple.of(4, hostile),
        Tuple.of(2, uuidText), Tuple.of(1, badUuid), Tuple.of(2, numberText));

    Arbitrary<JsonNode> textNode = text.map(NODES::textNode);
    Arbitrary<JsonNode> intNode = Arbitraries.integers().map(NODES::numberNode);
    Arbitrary<JsonNode> longNode = Arbitraries.longs().map(NODES::numberNode);
    Arbitrary<JsonNode> fraction = Arbitraries.of(0.5, 1.5, 1.0, -0.0, 2.0000001, 1e300, -1e-300, Double.NaN,
        Double.POSITIVE_INFINITY).map(NODES::numberNode);
    Arbitrary<JsonNode> huge = Arbitraries.of("1e400", "1E+200000", "-1e-400", "123456789012345678901234567890",
        "1E+999999999").map(s -> NODES.numberNode(new BigDecimal(s)));
    Arbitrary<JsonNode> bool = Arbitraries.of(true, false).map(NODES::booleanNode);
    Arbitrary<JsonNode> nul = Arbitraries.just(NODES.nullNode());
    Arbitrary<JsonNode> array = Arbitraries.integers().between(-1, 3).list().ofMaxSize(3)
        .map(l -> {
          var a = NODES.arrayNode();
          l.forEach(a::add);
          return a;
        });
    Arbitrary<JsonNode> object = word.map(w -> NODES.objectNode().put(w, 1));
    values = Arbitraries.frequencyOf(
        Tuple.of(6, textNode), Tuple.of(3, intNode), Tuple.of(2, longNode), Tuple.of(3, fraction), Tuple.of(2, huge),
        Tuple.of(2, bool), Tuple.of(2, nul), Tuple.of(1, array), Tuple.of(1, object)).sampleStream().iterator();

    mutations = Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.just(Mutation.VALID)), Tuple.of(30, Arbitraries.just(Mutation.REPLACE)),
        Tuple.of(8, Arbitraries.just(Mutation.REPLACE_TWO)), Tuple.of(6, Arbitraries.just(Mutation.REMOVE)),
        Tuple.of(8, Arbitraries.just(Mutation.UNKNOWN_FIELD)), Tuple.of(6, Arbitraries.just(Mutation.DUPLICATE_KEY)),
        Tuple.of(6, Arbitraries.just(Mutation.TRAILING)), Tuple.of(6, Arbitraries.just(Mutation.TRUNCATE)),
        Tuple.of(6, Arbitraries.just(Mutation.BYTE_FLIP)), Tuple.of(3, Arbitraries.just(Mutation.WRONG_TOP_LEVEL)),
        Tuple.of(2, Arbitraries.just(Mutation.DEEP_NESTING))).sampleStream().iterator();
    unknownNames = Arbitraries.frequencyOf(Tuple.of(2, word), Tuple.of(1, anyText)).sampleStream().iterator();
    trailers = Arbitraries.of("x", "{}", "[]", "\u0000", " 1", "}", ",", "\n{\"a\":1}", "null")
        .sampleStream().iterator();
    keys = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.just("")),
        Tuple.of(3, Arbitraries.of("", " ", "\t")),
        Tuple.of(3, Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(40)),
        Tuple.of(1, Arbitraries.strings().withCharRange('a', 'z').ofMinLength(256).ofMaxLength(300)))
        .sampleStream().iterator();
    parameterValues = Arbitraries.frequencyOf(
        Tuple.of(5, text), Tuple.of(2, Arbitraries.of("ONLINE", "AVAILABLE", "FOO", "online", "PENDING")),
        Tuple.of(2, Arbitraries.of("0", "1", "500", "501", "-1", "1.5", "abc", "99999999999", "")),
        Tuple.of(1, Arbitraries.strings().withCharRange('A', 'z').ofMinLength(1).ofMaxLength(60)))
        .sampleStream().iterator();
    segments = Arbitraries.frequencyOf(Tuple.of(4, text), Tuple.of(2, badUuid), Tuple.of(1, uuidText))
        .sampleStream().iterator();
  }

  private static <T> T draw(Iterator<T> samples) {
    return samples.next();
  }

  /** {@code valid} changed in one of the ways a careless or hostile client would change it. */
  Body body(ObjectNode valid, List<String> fields) {
    Mutation m = draw(mutations);
    String field = fields.get(random.nextInt(fields.size()));
    return switch (m) {
      case VALID -> json(valid, m.name());
      case REPLACE -> {
        JsonNode v = draw(values);
        valid.set(field, v);
        yield json(valid, m + " " + field);
      }
      case REPLACE_TWO -> {
        String other = fields.get(random.nextInt(fields.size()));
        valid.set(field, draw(values));
        valid.set(other, draw(values));
        yield json(valid, m + " " + field + ", " + other);
      }
      case REMOVE -> {
        valid.remove(field);
        yield json(valid, m + " " + field);
      }
      case UNKNOWN_FIELD -> {
        String name = random.nextBoolean() ? misspell(field) : draw(unknownNames);
        if (valid.has(name)) {
          name = name + "x";
        }
        valid.set(name, draw(values));
        yield json(valid, m + " " + name);
      }
      case DUPLICATE_KEY -> {
        String text = ApiFuzzTest.write(valid);
        String again = "{\"" + field + "\":" + ApiFuzzTest.write(draw(values)) + ",";
        yield new Body((again + text.substring(1)).getBytes(StandardCharsets.UTF_8), m + " " + field);
      }
      case TRAILING -> new Body((ApiFuzzTest.write(valid) + draw(trailers)).getBytes(StandardCharsets.UTF_8),
          m.name());
      case TRUNCATE -> {
        byte[] b = ApiFuzzTest.write(valid).getBytes(StandardCharsets.UTF_8);
        int cut = random.nextInt(b.length);
        yield new Body(java.util.Arrays.copyOf(b, cut), m + " at " + cut);
      }
      case BYTE_FLIP -> {
        byte[] b = ApiFuzzTest.write(valid).getBytes(StandardCharsets.UTF_8);
        int at = random.nextInt(b.length);
        b[at] = (byte) random.nextInt(256);
        yield new Body(b, m + " at " + at);
      }
      case WRONG_TOP_LEVEL -> {
        String[] tops = {"[]", "\"x\"", "1", "null", "true", "[" + ApiFuzzTest.write(valid) + "]", " "};
        yield new Body(tops[random.nextInt(tops.length)].getBytes(StandardCharsets.UTF_8), m.name());
      }
      case DEEP_NESTING -> {
        int depth = 500 + random.nextInt(2000);
        String deep = "[".repeat(depth) + "]".repeat(depth);
        valid.putRawValue(field, new com.fasterxml.jackson.databind.util.RawValue(deep));
        yield json(valid, m + " " + field + " depth " + depth);
      }
    };
  }

  private static Body json(ObjectNode node, String how) {
    return new Body(ApiFuzzTest.write(node).getBytes(StandardCharsets.UTF_8), how);
  }

  /** A near miss of a known field name: one letter dropped, doubled or its case changed. */
  private String misspell(String field) {
    int at = random.nextInt(field.length());
    return switch (random.nextInt(3)) {
      case 0 -> field.substring(0, at) + field.substring(at + 1);
      case 1 -> field.substring(0, at + 1) + field.charAt(at) + field.substring(at + 1);
      default -> field.substring(0, at) + Character.toUpperCase(field.charAt(at)) + field.substring(at + 1);
    };
  }

  /** An Idempotency-Key header value, or null for none (most tries). */
  String idempotencyKey() {
    return random.nextInt(5) == 0 ? draw(keys) : null;
  }

  /** One to three of the endpoint's parameters, now and then an unknown one, with generated values. */
  Map<String, String> query(List<String> parameters) {
    Map<String, String> q = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(parameters);
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      String name = random.nextInt(8) == 0 ? "unknown" : names.get(random.nextInt(names.size()));
      q.put(name, draw(parameterValues));
    }
    return q;
  }

  String pathSegment() {
    return draw(segments);
  }

  static boolean isCanonicalUuid(String s) {
    return s.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  }

  /** Every byte but the unreserved ASCII ones percent-encoded: the server decodes exactly what was generated. */
  static String percentEncode(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }
}
