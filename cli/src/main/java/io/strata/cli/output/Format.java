package io.strata.cli.output;

/** How a command prints what the API answered: {@code -o table|json|yaml}. */
public enum Format {
  /** Aligned columns for people (the default). */
  TABLE,
  /** The API's JSON, indented; a whole list as one JSON array. */
  JSON,
  YAML
}
