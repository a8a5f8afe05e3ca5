package io.strata.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CSI driver's manifests (infra/kubernetes/csi), rendered by {@code kubectl kustomize} and
 * checked offline like the base: each document against its kind's schema, and the driver's name,
 * socket and StorageClass parameters against what the csi module serves and reads.
 */
class CsiManifestsTest {

  static final Path CSI = Path.of("csi");
  static final Path CONTROLLER_SOURCE =
      Path.of("../../csi/src/main/java/io/strata/csi/controller/ControllerService.java");
  static final String DRIVER = "csi.strata.io";
  static List<JsonNode> rendered;
  static final ManifestValidator validator = new ManifestValidator();

  @BeforeAll
  static void render() {
    rendered = Kustomize.render(CSI);
  }

  static JsonNode find(String kind, String name) {
    return rendered.stream()
        .filter(d -> d.path("kind").asText().equals(kind) && d.at("/metadata/name").asText().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  static Map<String, JsonNode> containers(JsonNode workload) {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    workload.at("/spec/template/spec/containers").forEach(c -> byName.put(c.path("name").asText(), c));
    return byName;
  }

  static List<String> args(JsonNode container) {
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> args.add(a.asText()));
    return args;
  }

  @Test
  void everyDocumentMatchesItsSchemaAndTheDriverIsComplete() {
    assertThat(validator.problems(rendered)).isEmpty();
    Set<String> kinds = rendered.stream().map(ManifestValidator::kindOf).collect(Collectors.toCollection(TreeSet::new));
    assertThat(kinds).containsExactlyInAnyOrder("storage.k8s.io/v1/CSIDriver", "storage.k8s.io/v1/StorageClass",
        "v1/ServiceAccount", "rbac.authorization.k8s.io/v1/ClusterRole",
        "rbac.authorization.k8s.io/v1/ClusterRoleBinding", "rbac.authorization.k8s.io/v1/Role",
        "rbac.authorization.k8s.io/v1/RoleBinding", "apps/v1/Deployment", "apps/v1/DaemonSet");
  }

  @Test
  void aMisspelledFieldInTheCsiDriverIsRejected() {
    JsonNode driver = find("CSIDriver", DRIVER).deepCopy();
    ObjectNode spec = (ObjectNode) driver.path("spec");
    spec.set("attachRequird", spec.remove("attachRequired"));
    assertThat(validator.validate(driver)).isNotEmpty().anySatisfy(p -> assertThat(p).contains("attachRequird"));
  }

  @Test
  void theControllerRunsTheFourSidecarsOnTheDriversSocketAndNeedsAnAttachment() {
    assertThat(find("CSIDriver", DRIVER).at("/spec/attachRequired").asBoolean()).isTrue();
    Map<String, JsonNode> c = containers(find("Deployment", "strata-csi-controller"));
    assertThat(c).containsOnlyKeys("csi-provisioner", "csi-attacher", "csi-snapshotter", "csi-resizer", "strata-csi");
    for (String sidecar : List.of("csi-provisioner", "csi-attacher", "csi-snapshotter", "csi-resizer")) {
      assertThat(args(c.get(sidecar))).as(sidecar).contains("--csi-address=/csi/csi.sock", "--leader-election");
    }
    assertThat(args(c.get("strata-csi"))).containsSequence("--endpoint", "unix:///csi/csi.sock")
        .containsSequence("--mode", "controller");
    assertThat(find("Deployment", "strata-csi-controller").at("/spec/template/spec/serviceAccountName").asText())
        .isEqualTo(find("ClusterRoleBinding", "strata-csi-controller").at("/subjects/0/name").asText());
  }

  @Test
  void theNodePluginRegistersTheSocketTheKubeletFindsAndSharesItsMounts() {
    JsonNode node = find("DaemonSet", "strata-csi-node");
    Map<String, JsonNode> c = containers(node);
    assertThat(args(c.get("node-driver-registrar")))
        .contains("--kubelet-registration-path=/var/lib/kubelet/plugins/" + DRIVER + "/csi.sock");
    assertThat(args(c.get("strata-csi"))).containsSequence("--mode", "node");
    assertThat(c.get("strata-csi").at("/securityContext/privileged").asBoolean()).isTrue();
    assertThat(node.at("/spec/template/spec/hostNetwork").asBoolean()).isTrue();
    List<String> propagation = new ArrayList<>();
    c.get("strata-csi").path("volumeMounts").forEach(m -> {
      if (m.path("mountPath").asText().equals("/var/lib/kubelet")) {
        propagation.add(m.path("mountPropagation").asText());
      }
    });
    assertThat(propagation).containsExactly("Bidirectional");
    // the plugin folder the registrar names is the one the socket lives in
    node.at("/spec/template/spec/volumes").forEach(v -> {
      if (v.path("name").asText().equals("plugin-dir")) {
        assertThat(v.at("/hostPath/path").asText()).isEqualTo("/var/lib/kubelet/plugins/" + DRIVER);
      }
    });
  }

  @Test
  void theStorageClassUsesOnlyParametersTheDriverReads() throws IOException {
    JsonNode storageClass = find("StorageClass", "strata-gold");
    assertThat(storageClass.path("provisioner").asText()).isEqualTo(DRIVER);
    assertThat(storageClass.path("allowVolumeExpansion").asBoolean()).isTrue();
    Matcher m = Pattern.compile("Set<String> PARAMETERS = Set\\.of\\(([^)]*)\\)").matcher(Files.readString(CONTROLLER_SOURCE));
    assertThat(m.find()).as("ControllerService.PARAMETERS in " + CONTROLLER_SOURCE).isTrue();
    Set<String> known = Pattern.compile("\"([^\"]+)\"").matcher(m.group(1)).results()
        .map(r -> r.group(1)).collect(Collectors.toSet());
    List<String> used = new ArrayList<>();
    storageClass.path("parameters").fieldNames().forEachRemaining(used::add);
    assertThat(used).isNotEmpty();
    assertThat(known).containsAll(used);
  }
}
