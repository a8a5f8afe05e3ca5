package io.strata.console.web;

import io.quarkus.qute.TemplateExtension;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Small formatting helpers the templates call as if they were properties. */
@TemplateExtension
final class TemplateExtensions {
  private TemplateExtensions() {}

  private static final DateTimeFormatter UTC_SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  /**
   * An instant to the second, for tables with several times a row (alerts, audit, deliveries):
   * 2026-12-07 10:58:31 UTC rather than the API's 2026-12-07T10:58:31.987333Z.
   */
  static String utc(Instant t) {
    return UTC_SECONDS.format(t);
  }

  /** A state as a CSS class suffix: ONLINE → online. */
  static String css(String state) {
    return state.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
  }
}
