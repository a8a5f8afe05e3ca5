package io.strata.kubernetes;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.strimzi.api.kafka.model.common.UnknownPropertyPreserving;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks one Kubernetes document against the schema of its kind, offline, and says what is wrong
 * (an empty list: nothing). Every kind the base uses has a checker; any other kind is a problem.
 *
 * <ul>
 *   <li>Built-in kinds: the models of the official Kubernetes Java client (io.kubernetes:
 *       client-java-api, generated from the Kubernetes OpenAPI spec of the release its version
 *       names). Every value's JSON type is checked against the model's field (KubernetesTypes), then
 *       reading the document checks every nested object for fields the API does not define and
 *       for required fields.
 *   <li>Strimzi's custom resources: Strimzi's own model classes (io.strimzi:api), the ones the
 *       operator reads them with. They keep unknown fields aside instead of failing; a field kept
 *       aside anywhere in the object is a problem here (the operator would only warn and ignore it).
 *   <li>CloudNativePG's Cluster and the Keycloak operator's Keycloak and KeycloakRealmImport: no
 *       registry this build reaches ships their CRDs or models, so src/test/resources/crd-schemas
 *       holds JSON schemas of the fields Strata sets, written from the operators' CRDs (versions in
 *       each file's description); every object in them refuses fields it does not list.
 * </ul>
 */
final class ManifestValidator {

  private static final Map<String, Class<?>> KUBERNETES_MODELS = Map.ofEntries(
      Map.entry("v1/Namespace", V1Namespace.class),
      Map.entry("v1/ConfigMap", V1ConfigMap.class),
      Map.entry("v1/Secret", V1Secret.class),
      Map.entry("v1/Service", V1Service.class),
      Map.entry("v1/ServiceAccount", V1ServiceAccount.class),
      Map.entry("apps/v1/Deployment", V1Deployment.class),
      Map.entry("apps/v1/DaemonSet", V1DaemonSet.class),
      Map.entry("policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class),
      // the CSI driver's (infra/kubernetes/csi)
      Map.entry("storage.k8s.io/v1/CSIDriver", io.kubernetes.client.openapi.models.V1CSIDriver.class),
      Map.entry("storage.k8s.io/v1/StorageClass", io.kubernetes.client.openapi.models.V1StorageClass.class),
      Map.entry("rbac.authorization.k8s.io/v1/ClusterRole", io.kubernetes.client.openapi.models.V1ClusterRole.class),
      Map.entry("rbac.authorization.k8s.io/v1/ClusterRoleBinding",
          io.kubernetes.client.openapi.models.V1ClusterRoleBinding.class),
      Map.entry("rbac.authorization.k8s.io/v1/Role", io.kubernetes.client.openapi.models.V1Role.class),
      Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", io.kubernetes.client.openapi.models.V1RoleBinding.class));

  private static final Map<String, Class<?>> STRIMZI_MODELS = Map.of(
      "kafka.strimzi.io/v1/Kafka", Kafka.class,
      "kafka.strimzi.io/v1/KafkaNodePool", KafkaNodePool.class,
      "kafka.strimzi.io/v1/KafkaTopic", KafkaTopic.class);

  private static final Map<String, String> JSON_SCHEMAS = Map.of(
      "postgresql.cnpg.io/v1/Cluster", "cnpg-cluster.json",
      "k8s.keycloak.org/v2alpha1/Keycloak", "keycloak.json",
      "k8s.keycloak.org/v2alpha1/KeycloakRealmImport", "keycloak-realm-import.json");

  /** Strict about types, as the API server is: no "6" for 6, no 6 for "6", no "yes" for true. */
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .withCoercionConfig(LogicalType.Textual, c -> c
          .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
      .build();

  private final JsonSchemaFactory schemas = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);

  /** The kinds this validator knows, as "apiVersion/kind". */
  static Set<String> knownKinds() {
    Set<String> kinds = new java.util.TreeSet<>(KUBERNETES_MODELS.keySet());
    kinds.addAll(STRIMZI_MODELS.keySet());
    kinds.addAll(JSON_SCHEMAS.keySet());
    return kinds;
  }

  /** Each rendered document with problems, as "apiVersion/kind name", and its problems. */
  Map<String, List<String>> problems(List<JsonNode> documents) {
    Map<String, List<String>> problems = new java.util.LinkedHashMap<>();
    for (JsonNode doc : documents) {
      List<String> found = validate(doc);
      if (!found.isEmpty()) {
        problems.put(kindOf(doc) + " " + doc.at("/metadata/name").asText(), found);
      }
    }
    return problems;
  }

  static String kindOf(JsonNode doc) {
    return doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
  }

  List<String> validate(JsonNode doc) {
    String kind = kindOf(doc);
    if (KUBERNETES_MODELS.containsKey(kind)) {
      return kubernetes(doc, KUBERNETES_MODELS.get(kind));
    }
    if (STRIMZI_MODELS.containsKey(kind)) {
      return strimzi(doc, STRIMZI_MODELS.get(kind));
    }
    if (JSON_SCHEMAS.containsKey(kind)) {
      return jsonSchema(doc, JSON_SCHEMAS.get(kind));
    }
    return List.of("no schema known for " + kind + " (ManifestValidator)");
  }

  private static List<String> kubernetes(JsonNode doc, Class<?> model) {
    // Gson reads leniently ("yes" as false, "3" as 3, 3 as "3"): the JSON types first, by the model
    List<String> types = new ArrayList<>();
    KubernetesTypes.check(doc, model, "", types);
    if (!types.isEmpty()) {
      return types;
    }
    try {
      Method fromJson = model.getMethod("fromJson", String.class);
      fromJson.invoke(null, doc.toString());
      return List.of();
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      return List.of(model.getSimpleName() + ": " + cause.getClass().getSimpleName() + ": " + shorten(cause.getMessage()));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(model + " has no fromJson(String)", e);
    }
  }

  private static List<String> strimzi(JsonNode doc, Class<?> model) {
    Object resource;
    try {
      resource = JSON.treeToValue(doc, model);
    } catch (Exception e) {
      return List.of(model.getSimpleName() + ": " + shorten(e.getMessage()));
    }
    List<String> problems = new ArrayList<>();
    unknownProperties(resource, "", problems, new IdentityHashMap<>());
    return problems;
  }

  /** Walks the model's getters; every field Jackson kept aside (any-setter) is one the CRD lacks. */
  private static void unknownProperties(Object node, String path, List<String> problems, Map<Object, Boolean> seen) {
    if (node == null || seen.put(node, Boolean.TRUE) != null) {
      return;
    }
    if (node instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        unknownProperties(item, path + "[" + i++ + "]", problems, seen);
      }
      return;
    }
    if (!node.getClass().getPackageName().startsWith("io.strimzi.api")) {
      return;
    }
    if (node instanceof UnknownPropertyPreserving preserving && preserving.getAdditionalProperties() != null) {
      for (String field : preserving.getAdditionalProperties().keySet()) {
        problems.add("unknown field " + (path.isEmpty() ? "" : path + ".") + field);
      }
    }
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() == 0 && !Modifier.isStatic(getter.getModifiers())
          && getter.getName().startsWith("get") && !getter.getName().equals("getAdditionalProperties")
          && !getter.getName().equals("getClass")) {
        try {
          String name = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
          unknownProperties(getter.invoke(node), (path.isEmpty() ? "" : path + ".") + name, problems, seen);
        } catch (ReflectiveOperationException | RuntimeException e) {
          // a derived getter that needs state the document does not have: not a field
        }
      }
    }
  }

  private List<String> jsonSchema(JsonNode doc, String file) {
    JsonSchema schema;
    try (InputStream in = ManifestValidator.class.getResourceAsStream("/crd-schemas/" + file)) {
      schema = schemas.getSchema(JSON.readTree(in));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read crd-schemas/" + file, e);
    }
    Set<ValidationMessage> messages = schema.validate(doc);
    return messages.stream().map(ValidationMessage::getMessage).sorted().toList();
  }

  private static String shorten(String message) {
    if (message == null) {
      return "";
    }
    int json = message.indexOf(" JSON: ");
    return json > 0 ? message.substring(0, json) : message;
  }
}
