package io.strata.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.contracts.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Kustomize base in infra/kubernetes/base, rendered as {@code kubectl apply -k} would render
 * it, checked offline: every document against the schema of its kind (ManifestValidator), and what
 * the issue asks of the deployment against the services' own configuration. No cluster is used.
 */
class KubernetesManifestsTest {

  static final Path BASE = Path.of("base");
  static final Path ROOT = Path.of("../..");

  /** Deployment name -> the module whose application.properties the pods run. */
  static final Map<String, String> SERVICES = Map.of(
      "strata-control-plane", "control-plane/service",
      "strata-billing", "billing",
      "strata-web-console", "web-console");

  /**
   * Environment variables a pod may set that its application.properties does not name as
   * ${VAR:...}, each with the configuration it sets (Quarkus maps STRATA_A_B to strata.a.b).
   */
  static final Map<String, String> OTHER_VARIABLES = Map.of(
      "JAVA_TOOL_OPTIONS", "the JVM's own options",
      "STRATA_CONSOLE_ORIGIN", "strata.console.origin (web-console SameOriginRequests)",
      "STRATA_AGENT_DEMO_DRIVES", "strata.agent.demo-drives (AgentConfig.demoDrives)",
      "STRATA_AGENT_ENGINE_CGROUP_LIMITS", "strata.agent.engine.cgroup-limits (AgentConfig.Engine.cgroupLimits)");

  static List<JsonNode> rendered;
  static final ManifestValidator validator = new ManifestValidator();

  @BeforeAll
  static void render() {
    rendered = Kustomize.render(BASE);
  }

  @Test
  void everyRenderedDocumentMatchesTheSchemaOfItsKind() {
    assertThat(validator.problems(rendered)).isEmpty();
    // and the base holds what the issue asks for, so this test cannot pass on an empty render
    Set<String> kinds = rendered.stream().map(ManifestValidator::kindOf).collect(Collectors.toCollection(TreeSet::new));
    assertThat(kinds)
        .containsExactlyInAnyOrder("v1/Namespace", "v1/ConfigMap", "v1/Service", "apps/v1/Deployment",
            "apps/v1/DaemonSet", "policy/v1/PodDisruptionBudget", "kafka.strimzi.io/v1/Kafka",
            "kafka.strimzi.io/v1/KafkaNodePool", "kafka.strimzi.io/v1/KafkaTopic",
            "postgresql.cnpg.io/v1/Cluster", "k8s.keycloak.org/v2alpha1/Keycloak",
            "k8s.keycloak.org/v2alpha1/KeycloakRealmImport");
    assertThat(rendered).allSatisfy(doc -> {
      if (!doc.path("kind").asText().equals("Namespace")) {
        assertThat(doc.at("/metadata/namespace").asText()).isEqualTo("strata");
      }
    });
  }

  /** A misspelled field or a value of the wrong type, in one document of each checker. */
  static List<Arguments> mistakes() {
    return List.of(
        mistake("Deployment", "strata-control-plane", "misspelled probe field", "httpGett",
            d -> rename(d.at("/spec/template/spec/containers/0/readinessProbe"), "httpGet", "httpGett")),
        mistake("Deployment", "strata-billing", "replicas as a word", "spec.replicas",
            d -> ((ObjectNode) d.path("spec")).put("replicas", "two")),
        // Gson alone would read these two leniently ("yes" as false, "2" as 2); kubectl refuses both
        mistake("DaemonSet", "strata-agent", "a boolean as a word", "spec.template.spec.hostNetwork",
            d -> ((ObjectNode) d.at("/spec/template/spec")).put("hostNetwork", "yes")),
        mistake("Deployment", "strata-web-console", "replicas quoted", "spec.replicas",
            d -> ((ObjectNode) d.path("spec")).put("replicas", "2")),
        mistake("DaemonSet", "strata-agent", "misspelled hostNetwork", "hostNetwrok",
            d -> rename(d.at("/spec/template/spec"), "hostNetwork", "hostNetwrok")),
        mistake("Service", "strata-web-console", "a port that is not a number", "spec.ports[0].port",
            d -> ((ObjectNode) d.at("/spec/ports/0")).put("port", "eighty")),
        mistake("PodDisruptionBudget", "strata-billing", "misspelled minAvailable", "minAvailabe",
            d -> rename(d.path("spec"), "minAvailable", "minAvailabe")),
        mistake("Kafka", "strata-kafka", "misspelled listeners", "listners",
            d -> rename(d.at("/spec/kafka"), "listeners", "listners")),
        mistake("KafkaNodePool", "dual-role", "misspelled deleteClaim deep in storage", "deleteClaims",
            d -> rename(d.at("/spec/storage/volumes/0"), "deleteClaim", "deleteClaims")),
        mistake("KafkaTopic", "strata-usage", "partitions as a word", "partitions",
            d -> ((ObjectNode) d.path("spec")).put("partitions", "six")),
        mistake("KafkaTopic", "strata-events", "partitions quoted", "partitions",
            d -> ((ObjectNode) d.path("spec")).put("partitions", "6")),
        mistake("KafkaTopic", "strata-commands", "a topic name that is a number", "topicName",
            d -> ((ObjectNode) d.path("spec")).put("topicName", 6)),
        mistake("Cluster", "strata-postgres", "misspelled synchronous", "synchronus",
            d -> rename(d.at("/spec/postgresql"), "synchronous", "synchronus")),
        mistake("Cluster", "strata-postgres", "instances as a word", "instances",
            d -> ((ObjectNode) d.path("spec")).put("instances", "three")),
        mistake("Keycloak", "strata-keycloak", "misspelled db vendor", "vendr",
            d -> rename(d.at("/spec/db"), "vendor", "vendr")),
        mistake("KeycloakRealmImport", "strata-realm", "misspelled keycloakCRName", "keycloakCRName",
            d -> rename(d.path("spec"), "keycloakCRName", "keycloakCrName")));
  }

  @ParameterizedTest(name = "{0} {1}: {2}")
  @MethodSource("mistakes")
  void aMisspelledFieldOrAWrongTypeIsRejected(String kind, String name, String what, String named, Consumer<JsonNode> mistake) {
    JsonNode doc = find(kind, name).deepCopy();
    assertThat(validator.validate(doc)).as("before the mistake").isEmpty();
    mistake.accept(doc);
    assertThat(validator.validate(doc)).as(what).isNotEmpty().anySatisfy(problem -> assertThat(problem).contains(named));
  }

  @Test
  void aMistakeInAnOverlayFailsThroughTheWholeRender() throws IOException {
    // an overlay as an operator would write one, with a misspelled field in its patch (kustomize
    // takes a base by a relative path only)
    Path dir = Files.createDirectories(Path.of("target/overlay-with-a-mistake"));
    Files.writeString(dir.resolve("kustomization.yaml"), """
        bases:
          - ../../base
        patchesStrategicMerge:
          - probe.yaml
        """);
    Files.writeString(dir.resolve("probe.yaml"), """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: strata-control-plane
        spec:
          template:
            spec:
              containers:
                - name: control-plane
                  livenessProbe:
                    initialDelaySecond: 30
        """);
    List<String> problems = Kustomize.render(dir).stream().flatMap(doc -> validator.validate(doc).stream()).toList();
    assertThat(problems).singleElement().asString().contains("initialDelaySecond");
  }

  @Test
  void theStatelessServicesRunTwiceBehindAServiceWithABudgetAndProbesOnTheirHealthEndpoints() throws IOException {
    for (Map.Entry<String, String> service : SERVICES.entrySet()) {
      JsonNode deployment = find("Deployment", service.getKey());
      Map<String, String> properties = properties(service.getValue());
      String port = defaultOf(properties.get("quarkus.http.port"));
      JsonNode container = deployment.at("/spec/template/spec/containers/0");
      assertThat(deployment.at("/spec/replicas").asInt()).as(service.getKey()).isEqualTo(2);
      assertThat(container.at("/ports/0/containerPort").asText()).as(service.getKey()).isEqualTo(port);
      assertThat(env(container)).as(service.getKey()).containsEntry("STRATA_HTTP_HOST", "0.0.0.0").containsEntry("STRATA_HTTP_PORT", port);
      assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
      assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
      assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
      assertThat(container.at("/resources/requests/cpu").isMissingNode()).as(service.getKey() + " cpu request").isFalse();

      JsonNode selector = deployment.at("/spec/selector/matchLabels");
      assertThat(find("Service", service.getKey()).at("/spec/selector")).isEqualTo(selector);
      assertThat(find("Service", service.getKey()).at("/spec/ports/0/port").asText()).isEqualTo(port);
      JsonNode budget = find("PodDisruptionBudget", service.getKey());
      assertThat(budget.at("/spec/selector/matchLabels")).isEqualTo(selector);
      assertThat(budget.at("/spec/minAvailable").asInt()).isEqualTo(1);
    }
  }

  @Test
  void theAgentRunsOnLabelledStorageNodesOnTheNodesNetworkWithoutPrivileges() throws IOException {
    JsonNode agent = find("DaemonSet", "strata-agent");
    JsonNode pod = agent.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    assertThat(pod.at("/nodeSelector/strata.io~1storage-node").asText()).isEqualTo("true");
    assertThat(pod.at("/hostNetwork").asBoolean()).isTrue();
    assertThat(container.at("/securityContext/privileged").asBoolean(true)).isFalse();
    assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(container.at("/securityContext/capabilities/drop/0").asText()).isEqualTo("ALL");
    assertThat(container.at("/securityContext/capabilities/add").isMissingNode()).isTrue();
    // its data folder (drives/ among it) is the node's, at the path the agent is told
    Map<String, String> env = env(container);
    String dataDir = env.get("STRATA_AGENT_DATA_DIR");
    JsonNode mount = container.at("/volumeMounts/0");
    assertThat(dataDir).startsWith(mount.path("mountPath").asText() + "/");
    JsonNode volume = StreamSupport.stream(pod.path("volumes").spliterator(), false)
        .filter(v -> v.path("name").equals(mount.path("name"))).findFirst().orElseThrow();
    assertThat(volume.at("/hostPath/path").asText()).isEqualTo(mount.path("mountPath").asText());
    assertThat(env).containsEntry("STRATA_AGENT_DEMO_DRIVES", "false").containsEntry("STRATA_AGENT_ENGINE_CGROUP_LIMITS", "false");
    assertThat(container.at("/ports/1/containerPort").asText()).isEqualTo(env.get("STRATA_DRIVE_PORTAL_PORT"));
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
  }

  @Test
  void everyVariableAPodSetsIsOneItsServiceReads() throws IOException {
    Map<String, String> workloads = new LinkedHashMap<>(SERVICES);
    workloads.put("strata-agent", "array-agent/agent");
    for (Map.Entry<String, String> workload : workloads.entrySet()) {
      JsonNode doc = rendered.stream().filter(d -> d.at("/metadata/name").asText().equals(workload.getKey())
          && d.path("kind").asText().matches("Deployment|DaemonSet")).findFirst().orElseThrow();
      Set<String> read = variablesRead(workload.getValue());
      read.addAll(OTHER_VARIABLES.keySet());
      assertThat(env(doc.at("/spec/template/spec/containers/0")).keySet()).as(workload.getKey()).isSubsetOf(read);
    }
  }

  @Test
  void everyConfigMapKeyAndSecretAPodNeedsIsThereOrDocumented() throws IOException {
    JsonNode config = find("ConfigMap", "strata-config").path("data");
    String operations = Files.readString(ROOT.resolve("docs/operations.md"));
    List<String> missing = new ArrayList<>();
    for (JsonNode ref : rendered.stream().flatMap(d -> d.findValues("configMapKeyRef").stream()).toList()) {
      if (!config.has(ref.path("key").asText())) {
        missing.add("strata-config has no key " + ref.path("key").asText());
      }
    }
    List<JsonNode> secretRefs = new ArrayList<>();
    rendered.forEach(d -> secretRefs.addAll(d.findValues("secretKeyRef")));
    rendered.forEach(d -> d.findValues("placeholders").forEach(p -> p.forEach(v -> secretRefs.add(v.path("secret")))));
    for (JsonNode ref : secretRefs) {
      String secret = ref.path("name").asText();
      String key = ref.path("key").asText();
      // the operator's own Secret (CloudNativePG writes strata-postgres-app) or one docs tell how to make
      if (!secret.equals("strata-postgres-app") && !(operations.contains(secret) && operations.contains(key))) {
        missing.add("docs/operations.md does not say how to create Secret " + secret + " key " + key);
      }
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void kafkaHasThreeBrokersOnThreeNodesAndStrataTopicsWithThreeCopiesAndTwoInSync() throws IOException {
    JsonNode pool = find("KafkaNodePool", "dual-role");
    assertThat(pool.at("/spec/replicas").asInt()).isEqualTo(3);
    JsonNode spread = pool.at("/spec/template/pod/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/0");
    assertThat(spread.path("topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
    assertThat(spread.at("/labelSelector/matchLabels/strimzi.io~1pool-name").asText()).isEqualTo("dual-role");
    assertThat(pool.at("/spec/roles").toString()).contains("controller", "broker");
    JsonNode config = find("Kafka", "strata-kafka").at("/spec/kafka/config");
    assertThat(config.path("min.insync.replicas").asInt()).isEqualTo(2);
    assertThat(config.path("default.replication.factor").asInt()).isEqualTo(3);
    assertThat(config.path("auto.create.topics.enable").asBoolean(true)).isFalse();

    int partitions = agentTopicPartitions();
    Map<String, JsonNode> topics = rendered.stream().filter(d -> d.path("kind").asText().equals("KafkaTopic"))
        .collect(Collectors.toMap(d -> d.at("/spec/topicName").asText(), d -> d));
    assertThat(topics.keySet()).containsExactlyInAnyOrder(Topics.COMMANDS, Topics.EVENTS, Topics.USAGE);
    assertThat(topics.values()).allSatisfy(topic -> {
      assertThat(topic.at("/spec/partitions").asInt()).isEqualTo(partitions);
      assertThat(topic.at("/spec/replicas").asInt()).isEqualTo(3);
      assertThat(topic.at("/spec/config/min.insync.replicas").asInt()).isEqualTo(2);
      assertThat(topic.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo("strata-kafka");
    });
    assertThat(find("ConfigMap", "strata-config").at("/data/kafka-bootstrap").asText())
        .isEqualTo("strata-kafka-kafka-bootstrap:9092");
  }

  @Test
  void postgresHasThreeInstancesOnThreeNodesWithASynchronousStandbyAndEveryDatabaseTheServicesUse() {
    JsonNode cluster = find("Cluster", "strata-postgres");
    assertThat(cluster.at("/spec/instances").asInt()).isEqualTo(3);
    assertThat(cluster.at("/spec/affinity/podAntiAffinityType").asText()).isEqualTo("required");
    assertThat(cluster.at("/spec/postgresql/synchronous/number").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(cluster.at("/spec/postgresql/synchronous/dataDurability").asText()).isEqualTo("required");

    Set<String> created = new TreeSet<>();
    created.add(cluster.at("/spec/bootstrap/initdb/database").asText());
    cluster.at("/spec/bootstrap/initdb/postInitSQL").forEach(sql -> {
      Matcher m = Pattern.compile("CREATE DATABASE (\\w+) OWNER (\\w+)").matcher(sql.asText());
      assertThat(m.matches()).as(sql.asText()).isTrue();
      assertThat(m.group(2)).isEqualTo(cluster.at("/spec/bootstrap/initdb/owner").asText());
      created.add(m.group(1));
    });
    JsonNode config = find("ConfigMap", "strata-config").path("data");
    Set<String> used = new TreeSet<>();
    for (String key : List.of("control-plane-db-url", "billing-db-url")) {
      assertThat(config.path(key).asText()).startsWith("jdbc:postgresql://" + cluster.at("/metadata/name").asText() + "-rw:5432/");
      used.add(config.path(key).asText().replaceAll(".*/", ""));
    }
    JsonNode keycloak = find("Keycloak", "strata-keycloak");
    assertThat(keycloak.at("/spec/db/host").asText()).isEqualTo(cluster.at("/metadata/name").asText() + "-rw");
    used.add(keycloak.at("/spec/db/database").asText());
    assertThat(created).isEqualTo(used);
  }

  @Test
  void theRealmImportIsGeneratedFromTheRealmTheStackImports() throws IOException {
    assertThat(Files.readString(RealmImport.IMPORT_FILE))
        .as("base/keycloak-realm-import.yaml is stale: regenerate it (docs/operations.md, \"Kubernetes\")")
        .isEqualTo(RealmImport.generate(Files.readString(RealmImport.REALM_FILE)));
    JsonNode realm = find("KeycloakRealmImport", "strata-realm").at("/spec/realm");
    assertThat(realm.toString()).doesNotContain("strata-console-secret", "127.0.0.1", "acme-admin");
    assertThat(find("KeycloakRealmImport", "strata-realm").at("/spec/keycloakCRName").asText()).isEqualTo("strata-keycloak");
  }

  // ---- helpers -------------------------------------------------------------------------------

  static Arguments mistake(String kind, String name, String what, String named, Consumer<JsonNode> change) {
    return Arguments.of(kind, name, what, named, change);
  }

  static void rename(JsonNode object, String from, String to) {
    ObjectNode node = (ObjectNode) object;
    assertThat(node.has(from)).as("the base has " + from).isTrue();
    node.set(to, node.remove(from));
  }

  static JsonNode find(String kind, String name) {
    return rendered.stream()
        .filter(d -> d.path("kind").asText().equals(kind) && d.at("/metadata/name").asText().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in the render"));
  }

  /** name -> literal value, or the ref as text for values from ConfigMaps and Secrets. */
  static Map<String, String> env(JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(),
        e.has("value") ? e.path("value").asText() : e.path("valueFrom").toString()));
    return env;
  }

  static Map<String, String> properties(String module) throws IOException {
    Map<String, String> properties = new LinkedHashMap<>();
    for (String line : Files.readAllLines(ROOT.resolve(module).resolve("src/main/resources/application.properties"))) {
      int eq = line.indexOf('=');
      if (!line.isBlank() && !line.startsWith("#") && eq > 0) {
        properties.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    }
    return properties;
  }

  /** "${STRATA_HTTP_PORT:8081}" -> "8081" */
  static String defaultOf(String value) {
    Matcher m = Pattern.compile("\\$\\{[A-Z_]+:([^}]*)}").matcher(value);
    return m.matches() ? m.group(1) : value;
  }

  /** Every ${VAR:...} of the module's application.properties, and every property as Quarkus' variable name. */
  static Set<String> variablesRead(String module) throws IOException {
    Set<String> read = new TreeSet<>();
    for (Map.Entry<String, String> p : properties(module).entrySet()) {
      Matcher m = Pattern.compile("\\$\\{([A-Z_]+)").matcher(p.getValue());
      while (m.find()) {
        read.add(m.group(1));
      }
      read.add(p.getKey().replaceFirst("^%[a-z]+\\.", "").toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
    }
    return read;
  }

  /** TopicSetup.PARTITIONS of the agent, read from its source (the agent is a Quarkus application, not a library). */
  static int agentTopicPartitions() throws IOException {
    String source = Files.readString(ROOT.resolve("array-agent/agent/src/main/java/io/strata/agent/events/TopicSetup.java"));
    Matcher m = Pattern.compile("int PARTITIONS = (\\d+);").matcher(source);
    assertThat(m.find()).as("TopicSetup.PARTITIONS").isTrue();
    return Integer.parseInt(m.group(1));
  }
}
