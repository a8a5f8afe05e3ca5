package io.strata.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.testsupport.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The monitoring files an operator installs: infra/prometheus's configuration and alerting rules
 * pass {@code promtool check} and their unit tests ({@code promtool test rules}); infra/grafana's
 * dashboards are JSON Grafana can import; and rules and dashboards name only metrics that
 * docs/observability.md lists (each service's MetricsEndpointTest proves those exist).
 */
class MonitoringFilesTest {

  static final Path ROOT = Path.of("").toAbsolutePath().resolve("../..").normalize();
  static final Path RULES = ROOT.resolve("infra/prometheus/rules");
  static final Path GRAFANA = ROOT.resolve("infra/grafana");
  /** Metric names in PromQL: the families our services and Prometheus itself expose. */
  static final Pattern METRIC = Pattern.compile(
      "\\b((?:strata|kafka|jvm|http|agroal|process|system)_[a-z0-9_]+|up)\\b(?!\\s*=)");
  static final Pattern RECORDED = Pattern.compile("\\bstrata:[a-z0-9_:]+");
  static final Pattern DOCUMENTED = Pattern.compile("^\\| `([a-z_:][a-z0-9_:]*)`", Pattern.MULTILINE);

  static List<Path> files(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    }
  }

  static void promtool(String... args) {
    Promtool.Result result = Promtool.run("", args);
    assertThat(result.exitCode()).as("promtool %s:\n%s", String.join(" ", args), result.output()).isZero();
  }

  @Test
  void theRulesCheckAndTheirUnitTestsPass() throws IOException {
    List<String> args = new ArrayList<>(List.of("check", "rules"));
    files(RULES, ".yml").forEach(p -> args.add(p.toString()));
    promtool(args.toArray(String[]::new));
    for (Path test : files(ROOT.resolve("infra/prometheus/tests"), ".test.yml")) {
      promtool("test", "rules", test.toString());
    }
  }

  @Test
  void theStacksPrometheusConfigurationChecks(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    String config = Files.readString(ROOT.resolve("infra/prometheus/prometheus.yml"))
        .replace("@RULES@", RULES.toString()).replace("@CONTROL_PLANE_PORT@", "8081").replace("@BILLING_PORT@", "8082")
        .replace("@CONSOLE_PORT@", "8080").replace("@AGENT_TARGETS@", "\"127.0.0.1:8083\"")
        .replace("@PROMETHEUS_PORT@", "9090");
    Path file = dir.resolve("prometheus.yml");
    Files.writeString(file, config);
    promtool("check", "config", file.toString());
  }

  @Test
  void dashboardsAreGrafanaJsonWithQueriesOnEveryPanel() throws IOException {
    List<Path> dashboards = files(GRAFANA, ".json");
    assertThat(dashboards).isNotEmpty();
    ObjectMapper json = new ObjectMapper();
    for (Path file : dashboards) {
      JsonNode dashboard = json.readTree(file.toFile());
      assertThat(dashboard.path("uid").asText()).as("%s uid", file).isNotBlank();
      assertThat(dashboard.path("title").asText()).as("%s title", file).isNotBlank();
      assertThat(dashboard.path("schemaVersion").asInt()).as("%s schemaVersion", file).isPositive();
      assertThat(dashboard.path("panels")).as("%s panels", file).isNotEmpty();
      for (JsonNode panel : dashboard.path("panels")) {
        assertThat(panel.path("targets")).as("%s panel %s", file, panel.path("title")).isNotEmpty();
        panel.path("targets").forEach(t -> assertThat(t.path("expr").asText()).isNotBlank());
      }
    }
  }

  @Test
  void rulesAndDashboardsNameOnlyDocumentedMetrics() throws IOException {
    Set<String> documented = new TreeSet<>();
    Matcher d = DOCUMENTED.matcher(Files.readString(ROOT.resolve("docs/observability.md")));
    while (d.find()) {
      documented.add(d.group(1));
    }
    assertThat(documented).as("metrics listed in docs/observability.md").hasSizeGreaterThan(20);
    Set<String> recorded = new TreeSet<>(names(RECORDED, Files.readString(RULES.resolve("thresholds.yml"))));

    Set<String> undocumented = new TreeSet<>();
    List<Path> sources = new ArrayList<>(files(RULES, ".yml"));
    sources.addAll(files(GRAFANA, ".json"));
    for (Path file : sources) {
      String text = Files.readString(file);
      for (String expr : expressions(file, text)) {
        String unquoted = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
        for (String name : names(METRIC, unquoted)) {
          if (!documented.contains(name) && !documented.contains(name.replaceAll("_(count|sum|bucket)$", ""))) {
            undocumented.add(file.getFileName() + ": " + name);
          }
        }
        for (String name : names(RECORDED, unquoted)) {
          if (!recorded.contains(name)) {
            undocumented.add(file.getFileName() + ": " + name + " (no such recording rule)");
          }
        }
      }
    }
    assertThat(undocumented).as("metric names used but not documented").isEmpty();
  }

  /** The PromQL expressions of a rules file ({@code expr:}) or a dashboard (targets' {@code expr}). */
  static List<String> expressions(Path file, String text) throws IOException {
    List<String> exprs = new ArrayList<>();
    if (file.toString().endsWith(".json")) {
      new ObjectMapper().readTree(text).findValues("expr").forEach(e -> exprs.add(e.asText()));
    } else {
      com.fasterxml.jackson.databind.ObjectMapper yaml = new ObjectMapper(
          new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
      yaml.readTree(text).findValues("expr").forEach(e -> exprs.add(e.asText()));
    }
    return exprs;
  }

  static Set<String> names(Pattern pattern, String text) {
    Set<String> found = new TreeSet<>();
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      found.add(m.groupCount() > 0 ? m.group(1) : m.group());
    }
    return found;
  }
}
