package io.strata.console.web;

import io.quarkus.qute.TemplateExtension;
import java.util.Locale;

/** Small formatting helpers the templates call as if they were properties. */
@TemplateExtension
final class TemplateExtensions {
  private TemplateExtensions() {}

  /** A state as a CSS class suffix: ONLINE → online. */
  static String css(String state) {
    return state.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
  }
}
