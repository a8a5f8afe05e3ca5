package io.strata.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with the kustomize built into kubectl ({@code kubectl kustomize DIR}), as
 * {@code kubectl apply -k DIR} would before sending the documents to a cluster. No cluster is
 * contacted. The kubectl used is {@code $STRATA_KUBECTL}, else the first on PATH; infra/bin/test
 * installs Debian's kubernetes-client when there is none.
 */
final class Kustomize {

  static final ObjectMapper YAML = new YAMLMapper();

  private Kustomize() {}

  /** The documents {@code kubectl kustomize dir} prints, in order. */
  static List<JsonNode> render(Path dir) {
    String kubectl = kubectl();
    try {
      Path out = Files.createTempFile("kustomize", ".yaml");
      Path err = Files.createTempFile("kustomize", ".err");
      try {
        Process process = new ProcessBuilder(kubectl, "kustomize", dir.toString())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
          process.destroyForcibly();
          throw new IllegalStateException(kubectl + " kustomize " + dir + " did not finish in 2 minutes");
        }
        if (process.exitValue() != 0) {
          throw new IllegalStateException(kubectl + " kustomize " + dir + " failed: " + Files.readString(err));
        }
        return documents(Files.readString(out, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static List<JsonNode> documents(String yaml) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(yaml)) {
      var values = YAML.readValues(parser, JsonNode.class);
      while (values.hasNext()) {
        JsonNode doc = values.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }

  private static String kubectl() {
    String configured = System.getenv("STRATA_KUBECTL");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "kubectl");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException(
        "no kubectl on PATH: the manifests are rendered with `kubectl kustomize`. Install one (Debian: "
            + "apt-get install kubernetes-client; infra/bin/test does) or set STRATA_KUBECTL");
  }
}
