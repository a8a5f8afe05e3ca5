package io.strata.controlplane.rest;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Request bodies are read strictly: a client asking for something the server does not understand
 * is told so (400 naming the field, see ProblemMappers) instead of getting something else.
 *
 * <ul>
 *   <li>an unknown property (a misspelt option) is refused, not ignored;
 *   <li>a key given twice is refused, not "last one wins";
 *   <li>anything after the JSON value is refused;
 *   <li>numbers are not guessed: {@code 1.5} or {@code 1.0} where an integer is meant, {@code "10"}
 *       where a number is meant, {@code 0} where an enum name is meant, {@code "true"} or {@code 1}
 *       where a boolean is meant, and a number or boolean where text is meant are all refused.
 * </ul>
 *
 * <p>Jackson's own features do all of it; this only switches them on.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

  @Override
  public void customize(ObjectMapper mapper) {
    mapper.enable(
        DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
        DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
        DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS,
        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
        DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    mapper.getFactory().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());

    refuse(mapper, LogicalType.Integer,
        CoercionInputShape.Float, CoercionInputShape.String, CoercionInputShape.Boolean,
        CoercionInputShape.EmptyString);
    refuse(mapper, LogicalType.Float,
        CoercionInputShape.String, CoercionInputShape.Boolean, CoercionInputShape.EmptyString);
    refuse(mapper, LogicalType.Boolean,
        CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.String,
        CoercionInputShape.EmptyString);
    refuse(mapper, LogicalType.Textual,
        CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean);
    refuse(mapper, LogicalType.Enum,
        CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.EmptyString);
  }

  private static void refuse(ObjectMapper mapper, LogicalType type, CoercionInputShape... shapes) {
    for (CoercionInputShape shape : shapes) {
      mapper.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail);
    }
  }
}
