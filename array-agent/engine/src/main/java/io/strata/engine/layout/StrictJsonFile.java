package io.strata.engine.layout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the JSON files the agent writes for an engine (the layout, the drive exports). Strict,
 * because a typo in a file that decides where data lives must stop the engine with a message
 * naming the field, not be ignored: unknown fields and nulls for numbers are errors.
 */
public final class StrictJsonFile {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private StrictJsonFile() {}

  /** The file as {@code type}; a bad or empty one is an IllegalArgumentException naming the file and the field. */
  public static <T> T read(Path file, Class<T> type) throws IOException {
    T parsed;
    try {
      parsed = JSON.readValue(Files.readString(file), type);
    } catch (UnrecognizedPropertyException e) {
      throw new IllegalArgumentException(file + ": unknown field '" + e.getPropertyName()
          + "' at " + e.getPathReference());
    } catch (JsonMappingException e) {
      // Names the field: "... at ArrayLayout["initiators"]->...[0]->InitiatorAccess["luns"]".
      throw new IllegalArgumentException(file + ": " + e.getOriginalMessage() + " at "
          + e.getPathReference());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": " + e.getOriginalMessage());
    }
    if (parsed == null) {
      throw new IllegalArgumentException(file + " is empty");
    }
    return parsed;
  }

  /**
   * The top-level "revision" of a file that may not be valid, or null when none can be found: lets
   * the engine report which revision it refused.
   */
  public static Long revisionIn(Path file) {
    try {
      JsonNode revision = JSON.readTree(Files.readString(file)).get("revision");
      return revision != null && revision.canConvertToLong() ? revision.asLong() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
