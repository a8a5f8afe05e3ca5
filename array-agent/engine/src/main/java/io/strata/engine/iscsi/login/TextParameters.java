package io.strata.engine.iscsi.login;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The key=value pairs of a Login or Text data segment (RFC 7143 section 6): UTF-8, each pair
 * ended by a NUL. Keys are case sensitive; order is kept because the answer follows it.
 */
public final class TextParameters {
  public static final int MAX_KEY_LENGTH = 63;
  /** RFC 7143 6.1: values are at most 255 bytes, except a few such as CHAP_C/CHAP_R. */
  public static final int MAX_VALUE_LENGTH = 8192;

  private TextParameters() {}

  /** Thrown for text that breaks the key=value syntax; login answers it with 0x0200. */
  public static final class MalformedTextException extends Exception {
    public MalformedTextException(String message) {
      super(message);
    }
  }

  public static LinkedHashMap<String, String> parse(byte[] text) throws MalformedTextException {
    LinkedHashMap<String, String> pairs = new LinkedHashMap<>();
    int start = 0;
    for (int i = 0; i <= text.length; i++) {
      if (i == text.length || text[i] == 0) {
        if (i > start) {
          String pair = new String(text, start, i - start, StandardCharsets.UTF_8);
          int eq = pair.indexOf('=');
          if (eq <= 0) {
            throw new MalformedTextException("not a key=value pair: " + abbreviate(pair));
          }
          String key = pair.substring(0, eq);
          String value = pair.substring(eq + 1);
          if (key.length() > MAX_KEY_LENGTH) {
            throw new MalformedTextException("key longer than 63 bytes: " + abbreviate(key));
          }
          if (value.length() > MAX_VALUE_LENGTH) {
            throw new MalformedTextException("value of " + key + " too long");
          }
          if (pairs.containsKey(key)) {
            throw new MalformedTextException("key sent twice: " + key);
          }
          pairs.put(key, value);
        }
        start = i + 1;
      }
    }
    return pairs;
  }

  public static byte[] encode(Map<String, String> pairs) {
    StringBuilder text = new StringBuilder();
    pairs.forEach((key, value) -> text.append(key).append('=').append(value).append('\0'));
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] bytes(ByteBuffer data) {
    byte[] bytes = new byte[data.remaining()];
    data.duplicate().get(bytes);
    return bytes;
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
