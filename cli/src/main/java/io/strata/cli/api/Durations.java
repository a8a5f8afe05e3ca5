package io.strata.cli.api;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --timeout}: {@code 90s}, {@code 10m}, {@code 1h}, or ISO-8601 ({@code PT10M}). */
final class Durations {
  private static final Pattern SHORT = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

  private Durations() {}

  static Duration parse(String text) {
    Matcher m = SHORT.matcher(text.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
    return Duration.parse(text.trim()); // picocli turns the exception into a usage error naming the option
  }
}
