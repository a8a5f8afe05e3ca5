package io.strata.console.web;

/**
 * Quotes a value for a POSIX shell (sh, bash): the value inside single quotes, where nothing is
 * special, and each single quote in it written as {@code '\''} (close, escaped quote, reopen).
 * Whatever the value holds (quotes, {@code ;}, {@code $(...)}, a newline), the shell reads it
 * back as exactly one word with exactly that text, so values from the API (IQNs, CHAP user names,
 * portals) cannot add commands to a script an admin runs with sudo.
 */
public final class ShellQuote {
  private ShellQuote() {}

  /** One shell word whose value is {@code value}. */
  public static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
