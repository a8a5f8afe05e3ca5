package io.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.cli.Environment;
import io.strata.cli.ExitCode;
import io.strata.cli.Session;
import io.strata.cli.Strata;
import io.strata.cli.api.Endpoint;
import io.strata.cli.api.Endpoints;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The {@code strata} CLI against the real stack (packaged control plane and billing, two agents,
 * PostgreSQL, Kafka, Keycloak): sign-in as an operator and a tenant through the public client
 * strata-cli with Keycloak found from the control plane, an array created with --wait to ONLINE,
 * a pool, a volume created twice with one Idempotency-Key (one volume), lists as JSON and tables,
 * an attachment waited for until ATTACHED and the iscsiadm steps `strata attach --dry-run` prints for it,
 * exit codes of a missing object and a taken name, and every operation of the running control
 * plane's OpenAPI document having a command.
 */
class CliEndToEndIT extends RunningStack {
  static final Path CONFIG = Path.of(System.getProperty("strata.e2e.work", "target/e2e")).toAbsolutePath()
      .resolve("cli-config-" + System.currentTimeMillis());

  record Result(int exit, String out, String err) {
    JsonNode json() throws Exception {
      return Api.JSON.readTree(out);
    }
  }

  static Result strata(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Map<String, String> vars = new HashMap<>();
    vars.put("XDG_CONFIG_HOME", CONFIG.toString());
    vars.put("STRATA_PASSWORD", "strata-demo");
    Environment env = new Environment(vars, CONFIG, new PrintWriter(out, true), new PrintWriter(err, true), false,
        new BufferedReader(new StringReader("")));
    int exit = Strata.commandLine(new Session(env, Clock.systemUTC(), Duration.ofMillis(500))).execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  static Result ok(String... args) {
    Result r = strata(args);
    assertThat(r.exit()).as("strata " + String.join(" ", args) + ": " + r.err()).isZero();
    return r;
  }

  @Test
  void aTenantBuildsStorageWithTheCli() throws Exception {
    Files.createDirectories(CONFIG);
    // ---- sign-in: Keycloak from the control plane's metadata; the operator and the tenant in two profiles
    assertThat(ok("login", "--url", controlPlaneUrl, "--user", "ops", "--profile", "ops", "--billing-url", billingUrl).out())
        .contains("as ops (profile 'ops')");
    assertThat(ok("login", "--url", controlPlaneUrl, "--user", "acme-admin", "--profile", "acme", "--billing-url", billingUrl).out())
        .contains("as acme-admin (profile 'acme')");
    assertThat(ok("whoami", "-o", "json").json().path("tenant").asText()).isEqualTo("acme");
    assertThat(Files.getPosixFilePermissions(CONFIG.resolve("strata/config.json")))
        .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    awaitTrue("both storage nodes ONLINE (strata admin nodes list)", () -> {
      JsonNode nodes = ok("admin", "nodes", "list", "-o", "json", "--profile", "ops").json();
      long online = 0;
      for (JsonNode n : nodes) {
        online += n.path("state").asText().equals("ONLINE") ? 1 : 0;
      }
      return online == 2;
    });

    // ---- an array, waited for until its engine serves, then until ONLINE
    JsonNode array = ok("arrays", "create", "name=cli", "engineSize=E01", "ssdDrives=2", "hddDrives=0",
        "--wait", "--timeout", "5m", "-o", "json").json();
    // the create's operation is done once the engine serves: ONLINE, or DEGRADED while a remote drive is not back
    assertThat(array.path("state").asText()).isIn("ONLINE", "DEGRADED");
    String arrayId = array.path("id").asText();
    // The other node's drive export service may start after this engine did (both are started by the
    // array's create): the engine then opens without that remote drive, reports it FAILED (the array
    // DEGRADED for a moment) and logs in to it once it listens. So the listing is waited for.
    awaitTrue("the array listed ONLINE (strata arrays list)",
        () -> java.util.regex.Pattern.compile("(?m)^" + arrayId + "\\s+cli\\s+ONLINE")
            .matcher(ok("arrays", "list").out()).find());

    // ---- a pool and a volume; the volume's create sent twice with one key makes one volume
    JsonNode pool = ok("pools", "create", "arrayId=" + arrayId, "name=fast", "driveType=SSD", "protection=RAID1",
        "driveCount=2", "--wait", "-o", "json").json();
    String poolId = pool.path("id").asText();
    String key = UUID.randomUUID().toString();
    JsonNode first = ok("volumes", "create", "poolId=" + poolId, "name=data", "sizeGib=1", "--idempotency-key", key,
        "--wait", "-o", "json").json();
    assertThat(first.path("state").asText()).isEqualTo("AVAILABLE");
    JsonNode again = ok("volumes", "create", "poolId=" + poolId, "name=data", "sizeGib=1", "--idempotency-key", key,
        "-o", "json").json();
    assertThat(again.path("id").asText()).isEqualTo(first.path("id").asText());
    JsonNode volumes = ok("volumes", "list", "--pool-id", poolId, "-o", "json").json();
    assertThat(volumes.isArray()).isTrue();
    assertThat(volumes.findValuesAsText("name")).containsExactly("data");
    assertThat(ok("volumes", "list", "-o", "yaml").out()).contains("name: data");

    // ---- a server, an attachment waited for until ATTACHED, and the host's steps from `strata attach --dry-run`
    String serverId = ok("servers", "create", "name=web1", "iqn=" + ACME_HOST, "chapUser=web1",
        "chapSecret=acme-web1-secret", "-o", "json").json().path("id").asText();
    JsonNode attachment = ok("attachments", "create", "volumeId=" + first.path("id").asText(), "serverId=" + serverId,
        "--wait", "-o", "json").json();
    assertThat(attachment.path("state").asText()).isEqualTo("ATTACHED");
    JsonNode connection = attachment.path("connection");
    String portal = connection.path("portals").path(0).asText();
    String steps = ok("attach", attachment.path("id").asText(), "--dry-run").out();
    assertThat(steps)
        .contains("must be " + ACME_HOST)
        .contains("iscsiadm -m node -T " + connection.path("targetIqn").asText() + " -p " + portal + " -o new")
        .contains("-n node.session.auth.username -v web1")
        .contains("-p " + portal + " --login")
        .contains("-lun-" + connection.path("lun").asInt());

    // ---- exit codes scripts test
    assertThat(strata("volumes", "get", UUID.randomUUID().toString()).exit()).isEqualTo(ExitCode.NOT_FOUND.code);
    Result taken = strata("arrays", "create", "name=cli", "engineSize=E01", "ssdDrives=1");
    assertThat(taken.exit()).as(taken.err()).isEqualTo(ExitCode.CONFLICT.code);
    Result forbidden = strata("admin", "nodes", "list");
    assertThat(forbidden.exit()).as(forbidden.err()).isEqualTo(ExitCode.AUTH.code);
    Result invalid = strata("volumes", "create", "poolId=" + poolId, "name=Bad Name", "sizeGib=1");
    assertThat(invalid.exit()).isEqualTo(ExitCode.INVALID_REQUEST.code);
    assertThat(invalid.err()).contains("name");

    // ---- billing through the profile's billing URL
    assertThat(ok("invoices", "list", "-o", "json").json().isArray()).isTrue();
  }

  /** Every operation of the running control plane's OpenAPI document has a command (discovery excepted). */
  @Test
  void everyOperationOfTheOpenApiDocumentHasACommand() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(controlPlaneUrl + "/q/openapi?format=json")).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode paths = Api.JSON.readTree(r.body()).path("paths");
    Set<String> documented = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      if (p.getKey().startsWith("/.well-known/")) {
        continue;
      }
      p.getValue().fieldNames().forEachRemaining(method -> documented.add(
          method.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey().replaceAll("\\{[^}]*}", "{}")));
    }
    Set<String> commands = Endpoints.all().stream().filter(e -> e.service() == Endpoint.Service.CONTROL_PLANE)
        .map(e -> e.method() + " " + e.shape()).collect(Collectors.toCollection(TreeSet::new));
    assertThat(documented).hasSizeGreaterThan(70);
    Set<String> missing = new TreeSet<>(documented);
    missing.removeAll(commands);
    assertThat(missing).as("OpenAPI operations without a strata command").isEmpty();
  }
}
