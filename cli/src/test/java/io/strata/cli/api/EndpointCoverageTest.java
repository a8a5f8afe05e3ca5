package io.strata.cli.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of the control plane's and billing's JAX-RS resources has a command, and every
 * command an endpoint: read from the resources' sources (class and method {@code @Path}, the HTTP
 * method annotations), so a new endpoint without a command fails here, in the CLI's quick unit
 * tests. (CliEndToEndIT checks the same against the running control plane's OpenAPI document.)
 * Discovery documents under /.well-known are not actions and have no command.
 */
class EndpointCoverageTest {
  private static final Path ROOT = Path.of(System.getProperty("strata.cli.repo-root", ".."));
  private static final Pattern PATH = Pattern.compile("@Path\\(\"([^\"]*)\"\\)");
  private static final Pattern HTTP_METHOD = Pattern.compile("^\\s*@(GET|POST|PUT|PATCH|DELETE)\\s*$");
  private static final Pattern CLASS = Pattern.compile("^\\s*public (final )?class ");

  @Test
  void everyEndpointOfTheApisHasACommandAndEveryCommandAnEndpoint() throws IOException {
    Set<String> api = new TreeSet<>();
    api.addAll(endpointsIn(ROOT.resolve("control-plane/service/src/main/java"), Endpoint.Service.CONTROL_PLANE));
    api.addAll(endpointsIn(ROOT.resolve("billing/src/main/java"), Endpoint.Service.BILLING));
    api.removeIf(e -> e.contains(" /.well-known/"));
    assertThat(api).as("endpoints found in the resources").hasSizeGreaterThan(90);
    Set<String> commands = Endpoints.all().stream()
        .map(e -> e.service() + " " + e.method() + " " + e.shape()).collect(Collectors.toCollection(TreeSet::new));

    Set<String> withoutCommand = new TreeSet<>(api);
    withoutCommand.removeAll(commands);
    Set<String> withoutEndpoint = new TreeSet<>(commands);
    withoutEndpoint.removeAll(api);
    assertThat(withoutCommand).as("API endpoints with no command in io.strata.cli.api.Endpoints").isEmpty();
    assertThat(withoutEndpoint).as("commands whose endpoint is gone from the API").isEmpty();
  }

  @Test
  void commandNamesAreUniqueAndPathVariablesBecomeArguments() {
    List<String> names = Endpoints.all().stream().map(Endpoint::commandLine).toList();
    assertThat(names).doesNotHaveDuplicates();
    Endpoint replace = Endpoints.all().stream().filter(e -> e.commandLine().equals("pools replace-drive")).findFirst().orElseThrow();
    assertThat(replace.pathVariables()).containsExactly("id", "driveId");
    assertThat(Endpoint.label("driveId")).isEqualTo("DRIVE_ID");
  }

  static List<String> endpointsIn(Path sources, Endpoint.Service service) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String text = Files.readString(file);
        if (!text.contains("@Path(")) {
          continue;
        }
        found.addAll(endpointsOf(text.lines().toList(), service));
      }
    }
    return found;
  }

  /** The class's @Path, then each method's HTTP method and @Path (annotations before its signature). */
  private static List<String> endpointsOf(List<String> lines, Endpoint.Service service) {
    List<String> found = new ArrayList<>();
    String base = null;
    String method = null;
    String sub = "";
    boolean inClass = false;
    for (String line : lines) {
      String trimmed = line.trim();
      Matcher path = PATH.matcher(trimmed);
      if (!inClass) {
        if (trimmed.startsWith("@Path(") && path.find()) {
          base = path.group(1);
        }
        if (CLASS.matcher(line).find()) {
          inClass = true;
        }
        continue;
      }
      Matcher m = HTTP_METHOD.matcher(line);
      if (m.matches()) {
        method = m.group(1);
      } else if (trimmed.startsWith("@Path(") && path.find()) {
        sub = path.group(1);
      } else if (!trimmed.startsWith("@") && !trimmed.isEmpty() && !trimmed.startsWith("//")
          && !trimmed.startsWith("*") && !trimmed.startsWith("/*") && method != null) {
        found.add(service + " " + method + " " + normalize(base + "/" + sub));
        method = null;
        sub = "";
      }
    }
    return found;
  }

  static String normalize(String path) {
    String p = path.replaceAll("/+", "/");
    p = p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p;
    return p.replaceAll("\\{[a-zA-Z]+[^}]*}", "{}");
  }

  @Test
  void wellKnownDiscoveryIsNotCountedAsAnAction() throws IOException {
    List<String> cp = endpointsIn(ROOT.resolve("control-plane/service/src/main/java"), Endpoint.Service.CONTROL_PLANE);
    assertThat(cp).contains("CONTROL_PLANE GET /.well-known/oauth-protected-resource");
  }
}
