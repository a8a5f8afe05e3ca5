package io.strata.engine.iscsi;

/**
 * The one way text that came from the wire (initiator and target names, keys and values of
 * login and text requests, CHAP user names, reasons built from them) reaches a log line: control
 * characters and line breaks are escaped, so an initiator cannot forge log lines, clear a
 * terminal or hide what it sent, and the text is capped, so it cannot flood the log either.
 */
public final class WireText {
  /** At most this many characters of one piece of wire text are logged. */
  public static final int MAX_CHARS = 256;

  private WireText() {}

  /**
   * {@code text} with every control character (C0, DEL, C1), the Unicode line and paragraph
   * separators and the backslash escaped ({@code \n}, {@code \r}, {@code \t}, {@code \\},
   * otherwise {@code \xNN} or {@code \}{@code uNNNN}), cut after {@value #MAX_CHARS} characters
   * with a note of how many more there were. Null gives "null".
   */
  public static String forLog(CharSequence text) {
    if (text == null) {
      return "null";
    }
    int shown = Math.min(text.length(), MAX_CHARS);
    StringBuilder out = new StringBuilder(shown + 16);
    for (int i = 0; i < shown; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02x", (int) c));
          } else if ((c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029'
              || Character.isSurrogate(c) && !validPair(text, i)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    if (text.length() > shown) {
      out.append("...(").append(text.length() - shown).append(" more)");
    }
    return out.toString();
  }

  private static boolean validPair(CharSequence text, int i) {
    char c = text.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
  }
}
