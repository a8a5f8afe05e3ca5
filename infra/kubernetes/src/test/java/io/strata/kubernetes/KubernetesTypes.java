package io.strata.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.annotations.SerializedName;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * The JSON type of every value of a built-in Kubernetes object, checked against the field of the
 * official client's model it lands in (the model says what the OpenAPI spec says: string, integer,
 * boolean, list, map, nested object, int-or-string, quantity). Needed because Gson reads leniently
 * where the API server does not: {@code hostNetwork: "yes"} would silently be false and
 * {@code replicas: "2"} would be 2, and both are errors for {@code kubectl apply}.
 */
final class KubernetesTypes {

  private KubernetesTypes() {}

  static void check(JsonNode value, Type type, String path, List<String> problems) {
    if (value == null || value.isNull()) {
      return;
    }
    Class<?> raw = raw(type);
    if (raw == String.class || raw == OffsetDateTime.class) {
      expect(value.isTextual(), value, path, "a string", problems);
    } else if (raw == Integer.class || raw == Long.class || raw == int.class || raw == long.class) {
      expect(value.isIntegralNumber(), value, path, "an integer", problems);
    } else if (raw == Boolean.class || raw == boolean.class) {
      expect(value.isBoolean(), value, path, "true or false", problems);
    } else if (raw == Double.class || raw == Float.class) {
      expect(value.isNumber(), value, path, "a number", problems);
    } else if (raw == IntOrString.class) {
      expect(value.isTextual() || value.isIntegralNumber(), value, path, "an integer or a string", problems);
    } else if (raw == Quantity.class) {
      expect(value.isTextual() || value.isNumber(), value, path, "a quantity", problems);
    } else if (List.class.isAssignableFrom(raw)) {
      if (expect(value.isArray(), value, path, "a list", problems)) {
        Type item = ((ParameterizedType) type).getActualTypeArguments()[0];
        for (int i = 0; i < value.size(); i++) {
          check(value.get(i), item, path + "[" + i + "]", problems);
        }
      }
    } else if (Map.class.isAssignableFrom(raw)) {
      if (expect(value.isObject(), value, path, "a map", problems)) {
        Type item = ((ParameterizedType) type).getActualTypeArguments()[1];
        value.fields().forEachRemaining(e -> check(e.getValue(), item, path + "." + e.getKey(), problems));
      }
    } else if (raw.getPackageName().startsWith("io.kubernetes.client.openapi.models")) {
      if (expect(value.isObject(), value, path, "an object", problems)) {
        for (Field field : raw.getDeclaredFields()) {
          SerializedName name = field.getAnnotation(SerializedName.class);
          if (name != null && value.has(name.value())) {
            check(value.get(name.value()), field.getGenericType(), join(path, name.value()), problems);
          }
        }
      }
    }
    // anything else (byte[] of a Secret's data, RawExtension): left to the model's own reading
  }

  private static boolean expect(boolean ok, JsonNode value, String path, String what, List<String> problems) {
    if (!ok) {
      problems.add("wrong type at " + path + ": " + value + " is not " + what);
    }
    return ok;
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }
}
