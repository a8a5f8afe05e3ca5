package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.cli.FakeStack.Answer;
import io.strata.cli.FakeStack.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI run in-process against a scripted control plane, billing and Keycloak on loopback:
 * sign-in, the config file, token refresh, paging, output, exit codes, Idempotency-Key,
 * --wait. (CliEndToEndIT in the e2e module runs it against the real stack.)
 */
class CliAgainstFakeStackTest {
  static final String ARRAY = "{\"id\":\"a1\",\"name\":\"web\",\"state\":\"ONLINE\",\"engineSize\":\"SMALL\"}";
  @TempDir Path config;
  FakeStack stack;
  Map<String, String> env;

  @BeforeEach
  void start() throws Exception {
    stack = new FakeStack();
    env = Map.of("STRATA_PASSWORD", "strata-demo");
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  Result strata(String... args) {
    return FakeStack.run(config, env, args);
  }

  Result login() {
    Result r = strata("login", "--url", stack.url, "--user", "acme-admin");
    assertThat(r.exit()).as(r.err()).isZero();
    return r;
  }

  @Test
  void loginFindsKeycloakFromTheControlPlaneAndKeepsTokensInAnOwnerOnlyFile() throws Exception {
    Result r = login();
    assertThat(r.out()).contains("Signed in to " + stack.url + " as acme-admin (profile 'default')");
    Path file = config.resolve("strata/config.json");
    assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(Set.of(
        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
    JsonNode saved = FakeStack.JSON.readTree(file.toFile());
    assertThat(saved.path("current").asText()).isEqualTo("default");
    JsonNode p = saved.path("profiles").path("default");
    assertThat(p.path("issuer").asText()).isEqualTo(stack.url + "/realms/strata");
    assertThat(p.path("billingUrl").asText()).isEqualTo(stack.url + "/billing");
    assertThat(p.path("refreshToken").asText()).startsWith("refresh-");
    assertThat(p.toString()).doesNotContain("strata-demo");
    Map<String, String> form = FakeStack.form(stack.requestsTo("POST", "/realms/strata/protocol/openid-connect/token").get(0).body());
    assertThat(form).containsEntry("client_id", "strata-cli").containsEntry("grant_type", "password");

    Result who = strata("whoami", "-o", "json");
    assertThat(who.json().path("tenant").asText()).isEqualTo("acme");
  }

  @Test
  void aWrongPasswordIsAnAuthErrorAndNoPasswordAUsageError() {
    Result wrong = FakeStack.run(config, Map.of("STRATA_PASSWORD", "nope"), "login", "--url", stack.url, "--user", "acme-admin");
    assertThat(wrong.exit()).isEqualTo(ExitCode.AUTH.code);
    assertThat(wrong.err()).contains("invalid_grant");
    Result none = FakeStack.run(config, Map.of(), "login", "--url", stack.url, "--user", "acme-admin");
    assertThat(none.exit()).isEqualTo(ExitCode.USAGE.code);
    assertThat(none.err()).contains("STRATA_PASSWORD");
  }

  @Test
  void withoutASignInCommandsSayHowToSignIn() {
    Result r = strata("arrays", "list");
    assertThat(r.exit()).isEqualTo(ExitCode.AUTH.code);
    assertThat(r.err()).contains("strata login");
  }

  @Test
  void anExpiredTokenIsRefreshedBeforeTheCallAndTheNewOneSaved() throws Exception {
    stack.route("POST", "/realms/strata/protocol/openid-connect/token", r -> stack.tokens(1)); // expires at once (30 s skew)
    login();
    stack.route("GET", "/api/v1/arrays/a1", r -> Answer.json(200, ARRAY));
    Result r = strata("arrays", "get", "a1", "-o", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.json().path("name").asText()).isEqualTo("web");
    List<FakeStack.Request> grants = stack.requestsTo("POST", "/realms/strata/protocol/openid-connect/token");
    assertThat(FakeStack.form(grants.get(grants.size() - 1).body())).containsEntry("grant_type", "refresh_token");
    JsonNode saved = FakeStack.JSON.readTree(config.resolve("strata/config.json").toFile());
    assertThat(saved.path("profiles").path("default").path("refreshToken").asText()).isEqualTo("refresh-" + stack.tokensIssued);
  }

  @Test
  void a401RefreshesOnceAndRepeatsTheRequest() {
    login();
    stack.validTokens.clear(); // the server forgot the session's access token (revoked, restarted)
    stack.route("GET", "/api/v1/arrays/a1", r -> Answer.json(200, ARRAY));
    Result r = strata("arrays", "get", "a1");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(stack.requestsTo("GET", "/api/v1/arrays/a1")).hasSize(2);
  }

  @Test
  void listsFetchEveryPageAndPrintATableOrJsonOrYaml() throws Exception {
    login();
    stack.route("GET", "/api/v1/arrays", r -> r.query() == null
        ? Answer.json(200, "{\"items\":[" + ARRAY + "],\"nextCursor\":\"c2\"}")
        : Answer.json(200, "{\"items\":[{\"id\":\"a2\",\"name\":\"db\",\"state\":\"PROVISIONING\",\"engineSize\":\"LARGE\"}]}"));
    Result table = strata("arrays", "list");
    assertThat(table.exit()).isZero();
    assertThat(table.out().lines().toList()).containsExactly(
        "ID  NAME  STATE         ENGINE_SIZE",
        "a1  web   ONLINE        SMALL",
        "a2  db    PROVISIONING  LARGE");
    Result json = strata("arrays", "list", "-o", "json");
    assertThat(json.json().isArray()).isTrue();
    assertThat(json.json().findValuesAsText("id")).containsExactly("a1", "a2");
    Result yaml = strata("arrays", "list", "-o", "yaml", "--state", "ONLINE");
    assertThat(yaml.out()).contains("- id: a2").contains("  name: db");
    assertThat(stack.requestsTo("GET", "/api/v1/arrays").get(4).query()).isEqualTo("state=ONLINE");
  }

  @Test
  void createsSendABodyAndAnIdempotencyKeyAndTheSameKeyAgainAfterA503() throws Exception {
    login();
    AtomicInteger calls = new AtomicInteger();
    stack.route("POST", "/api/v1/volumes", r -> calls.incrementAndGet() == 1
        ? Answer.json(503, "{\"title\":\"Unavailable\",\"status\":503}")
        : Answer.json(201, "{\"id\":\"v1\",\"name\":\"data\",\"state\":\"AVAILABLE\",\"sizeGib\":10}"));
    Result r = strata("volumes", "create", "poolId=p1", "name=data", "sizeGib=10", "thin=true", "-o", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("sending again with the same Idempotency-Key");
    List<FakeStack.Request> posts = stack.requestsTo("POST", "/api/v1/volumes");
    assertThat(posts).hasSize(2);
    String key = posts.get(0).header("Idempotency-Key");
    assertThat(key).isNotBlank().isEqualTo(posts.get(1).header("Idempotency-Key"));
    assertThat(FakeStack.JSON.readTree(posts.get(0).body()).toString())
        .isEqualTo("{\"poolId\":\"p1\",\"name\":\"data\",\"sizeGib\":10,\"thin\":true}");

    strata("volumes", "create", "poolId=p1", "name=data", "sizeGib=10", "--idempotency-key", "my-key");
    assertThat(stack.requestsTo("POST", "/api/v1/volumes").get(2).header("Idempotency-Key")).isEqualTo("my-key");
  }

  @Test
  void apiErrorsBecomeOneMessageAndTheirExitCode() {
    login();
    stack.route("POST", "/api/v1/arrays", r -> Answer.json(400, "{\"title\":\"Invalid request\",\"status\":400,"
        + "\"detail\":\"name: must match\",\"errors\":[{\"field\":\"name\",\"message\":\"must match [a-z]\"}]}"));
    stack.route("DELETE", "/api/v1/arrays/a1", r -> Answer.json(409, "{\"title\":\"Array has volumes\",\"status\":409,\"detail\":\"delete its volumes first\"}"));
    stack.route("GET", "/api/v1/usage", r -> Answer.json(500, "{\"title\":\"Internal error\",\"status\":500}"));
    Result invalid = strata("arrays", "create", "name=Bad Name");
    assertThat(invalid.exit()).isEqualTo(ExitCode.INVALID_REQUEST.code);
    assertThat(invalid.err()).contains("Invalid request (400): name: must match").contains("  name: must match [a-z]");
    assertThat(strata("arrays", "get", "missing").exit()).isEqualTo(ExitCode.NOT_FOUND.code);
    Result conflict = strata("arrays", "delete", "a1");
    assertThat(conflict.exit()).isEqualTo(ExitCode.CONFLICT.code);
    assertThat(conflict.err()).contains("Array has volumes (409): delete its volumes first");
    assertThat(strata("usage", "quota").exit()).isEqualTo(ExitCode.SERVER_OR_NETWORK.code);
    assertThat(strata("arrays", "frobnicate").exit()).isEqualTo(ExitCode.USAGE.code);
    assertThat(strata("arrays", "create").exit()).isEqualTo(ExitCode.USAGE.code);
  }

  @Test
  void anUnreachableServerIsANetworkError() {
    login();
    stack.close();
    Result r = strata("arrays", "get", "a1");
    assertThat(r.exit()).isEqualTo(ExitCode.SERVER_OR_NETWORK.code);
    assertThat(r.err()).contains("cannot reach " + stack.url);
  }

  @Test
  void waitFollowsTheCreatedObjectsOperationToItsOutcome() throws Exception {
    login();
    stack.route("POST", "/api/v1/arrays", r -> new Answer(201, Map.of("Content-Type", "application/json",
        "Location", "/api/v1/arrays/a1"), "{\"id\":\"a1\",\"name\":\"web\",\"state\":\"PROVISIONING\"}"));
    stack.route("GET", "/api/v1/operations", r -> Answer.json(200, "{\"items\":[{\"id\":\"op1\",\"state\":\"PENDING\"}]}"));
    AtomicInteger polls = new AtomicInteger();
    stack.route("GET", "/api/v1/operations/op1", r -> Answer.json(200, "{\"id\":\"op1\",\"kind\":\"array.create\",\"targetType\":\"array\",\"targetId\":\"a1\",\"state\":\""
        + (polls.incrementAndGet() < 3 ? "PENDING" : "SUCCEEDED") + "\"}"));
    stack.route("GET", "/api/v1/arrays/a1", r -> Answer.json(200, ARRAY));
    Result r = strata("arrays", "create", "name=web", "engineSize=SMALL", "ssdDrives=2", "--wait", "-o", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.json().path("state").asText()).isEqualTo("ONLINE");
    assertThat(polls.get()).isEqualTo(3);
    assertThat(stack.requestsTo("GET", "/api/v1/operations").get(0).query()).contains("targetId=a1");
  }

  @Test
  void waitOnAFailedOperationExitsSeven() {
    login();
    stack.route("POST", "/api/v1/arrays/a1/hibernate", r -> new Answer(202, Map.of("Content-Type", "application/json",
        "Operation-Location", "/api/v1/operations/op2"), ARRAY));
    stack.route("GET", "/api/v1/operations/op2", r -> Answer.json(200,
        "{\"id\":\"op2\",\"kind\":\"array.hibernate\",\"targetType\":\"array\",\"targetId\":\"a1\",\"state\":\"FAILED\",\"error\":\"node gone\"}"));
    Result r = strata("arrays", "hibernate", "a1", "--wait");
    assertThat(r.exit()).isEqualTo(ExitCode.OPERATION_FAILED.code);
    assertThat(r.err()).contains("operation op2 (array.hibernate) FAILED: node gone");
    Result noWait = strata("arrays", "hibernate", "a1");
    assertThat(noWait.exit()).isZero();
    assertThat(noWait.err()).contains("strata operations get op2 --wait");
  }

  @Test
  void waitGivesUpAfterTheTimeoutWithItsOwnExitCode() {
    login();
    stack.route("POST", "/api/v1/arrays/a1/resume", r -> new Answer(202, Map.of("Content-Type", "application/json",
        "Operation-Location", "/api/v1/operations/op3"), ARRAY));
    stack.route("GET", "/api/v1/operations/op3", r -> Answer.json(200,
        "{\"id\":\"op3\",\"kind\":\"array.resume\",\"targetType\":\"array\",\"targetId\":\"a1\",\"state\":\"PENDING\"}"));
    Result r = strata("arrays", "resume", "a1", "--wait", "--timeout", "0s");
    assertThat(r.exit()).isEqualTo(ExitCode.WAIT_TIMED_OUT.code);
    assertThat(r.err()).contains("strata operations get op3 --wait");
    assertThat(strata("operations", "get", "op3", "--wait", "--timeout", "0s").exit()).isEqualTo(ExitCode.WAIT_TIMED_OUT.code);
    assertThat(strata("arrays", "resume", "a1", "--timeout", "soon").exit()).isEqualTo(ExitCode.USAGE.code);
    assertThat(strata("arrays", "list", "-o", "xml").exit()).isEqualTo(ExitCode.USAGE.code);
  }

  @Test
  void aChangeNeedingIfMatchSendsTheETagReadJustBefore() {
    login();
    stack.route("GET", "/api/v1/volumes/v1", r -> new Answer(200, Map.of("Content-Type", "application/json", "ETag", "\"7\""), "{\"id\":\"v1\"}"));
    stack.route("PATCH", "/api/v1/volumes/v1", r -> Answer.json(200, "{\"id\":\"v1\",\"sizeGib\":20}"));
    assertThat(strata("volumes", "update", "v1", "sizeGib=20").exit()).isZero();
    assertThat(stack.requestsTo("PATCH", "/api/v1/volumes/v1").get(0).header("If-Match")).isEqualTo("\"7\"");
    assertThat(strata("volumes", "update", "v1", "sizeGib=20", "--if-match", "\"3\"").exit()).isZero();
    assertThat(stack.requestsTo("PATCH", "/api/v1/volumes/v1").get(1).header("If-Match")).isEqualTo("\"3\"");
  }

  @Test
  void billingCommandsGoToTheBillingServiceAndExportsPrintAsTheyCome() {
    login();
    stack.route("GET", "/billing/api/v1/invoices/i1/export", r -> new Answer(200, Map.of("Content-Type", "text/csv"), "a,b\n1,2\n"));
    Result r = strata("invoices", "export", "i1", "--format", "csv");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("a,b\n1,2\n");
    assertThat(stack.requestsTo("GET", "/billing/api/v1/invoices/i1/export").get(0).query()).isEqualTo("format=csv");
  }

  @Test
  void profilesKeepSeveralStacksApartAndStrataProfileChoosesOne() throws Exception {
    login();
    try (FakeStack other = new FakeStack()) {
      Result second = strata("login", "--url", other.url, "--user", "acme-admin", "--profile", "lab");
      assertThat(second.exit()).as(second.err()).isZero();
      other.route("GET", "/api/v1/arrays/a1", r -> Answer.json(200, ARRAY));
      stack.route("GET", "/api/v1/arrays/a1", r -> Answer.json(200, ARRAY.replace("web", "prod")));
      // login made 'lab' current
      assertThat(strata("arrays", "get", "a1", "-o", "json").json().path("name").asText()).isEqualTo("web");
      assertThat(FakeStack.run(config, Map.of("STRATA_PROFILE", "default"), "arrays", "get", "a1", "-o", "json").json()
          .path("name").asText()).isEqualTo("prod");
      assertThat(strata("arrays", "get", "a1", "-o", "json", "--profile", "default").json().path("name").asText()).isEqualTo("prod");
      Result list = strata("profiles", "list");
      assertThat(list.out()).contains("*        lab").contains(other.url).contains(stack.url);
      assertThat(strata("profiles", "use", "default").exit()).isZero();
      assertThat(strata("arrays", "get", "a1", "-o", "json").json().path("name").asText()).isEqualTo("prod");
      assertThat(strata("profiles", "remove", "nope").exit()).isEqualTo(ExitCode.NOT_FOUND.code);
      assertThat(strata("logout").exit()).isZero();
      assertThat(strata("arrays", "get", "a1").exit()).isEqualTo(ExitCode.AUTH.code);
      assertThat(stack.requestsTo("POST", "/realms/strata/protocol/openid-connect/revoke")).hasSize(1);
    }
  }

  @Test
  void theDeviceGrantPollsUntilTheUserConfirms() {
    stack.route("POST", "/realms/strata/protocol/openid-connect/auth/device", r -> Answer.json(200,
        "{\"device_code\":\"dc\",\"user_code\":\"ABCD-EFGH\",\"verification_uri\":\"http://kc/device\","
            + "\"verification_uri_complete\":\"http://kc/device?user_code=ABCD-EFGH\",\"interval\":1,\"expires_in\":600}"));
    AtomicInteger polls = new AtomicInteger();
    stack.route("POST", "/realms/strata/protocol/openid-connect/token", r -> {
      Map<String, String> form = FakeStack.form(r.body());
      if (!form.get("grant_type").equals("urn:ietf:params:oauth:grant-type:device_code") || !form.get("device_code").equals("dc")) {
        return Answer.json(400, "{\"error\":\"unsupported_grant_type\"}");
      }
      return polls.incrementAndGet() < 3 ? Answer.json(400, "{\"error\":\"authorization_pending\"}") : stack.tokens(300);
    });
    Result r = strata("login", "--url", stack.url);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("http://kc/device?user_code=ABCD-EFGH").contains("ABCD-EFGH");
    assertThat(polls.get()).isEqualTo(3);
  }

  @Test
  void attachDryRunPrintsTheIscsiadmAndMultipathSteps() {
    login();
    stack.route("GET", "/api/v1/attachments/t1", r -> Answer.json(200, "{\"id\":\"t1\",\"state\":\"ATTACHED\",\"lun\":0,\"connection\":"
        + "{\"portals\":[\"127.0.0.1:3261\",\"127.0.0.2:3261\"],\"targetIqn\":\"iqn.2026-11.io.strata:acme.web\",\"lun\":0,"
        + "\"initiatorIqn\":\"iqn.2026-11.com.acme:web1\",\"authMethod\":\"CHAP\",\"chapUser\":\"web1\"}}"));
    Result r = strata("attach", "t1", "--dry-run");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("# this host's initiator name (/etc/iscsi/initiatorname.iscsi) must be iqn.2026-11.com.acme:web1")
        .contains("iscsiadm -m node -T iqn.2026-11.io.strata:acme.web -p 127.0.0.1:3261 -o new")
        .contains("iscsiadm -m node -T iqn.2026-11.io.strata:acme.web -p 127.0.0.2:3261 -o update -n node.session.auth.username -v web1")
        .contains("-n node.session.auth.password -v YOUR-CHAP-SECRET")
        .contains("-n node.session.timeo.replacement_timeout -v 10")
        .contains("iscsiadm -m node -T iqn.2026-11.io.strata:acme.web -p 127.0.0.2:3261 --login")
        .contains("cat > /etc/multipath/conf.d/strata.conf <<'EOF'")
        .contains("path_grouping_policy group_by_prio")
        .contains("multipath -a /dev/disk/by-path/ip-127.0.0.1:3261-iscsi-iqn.2026-11.io.strata:acme.web-lun-0");
    Result secret = FakeStack.run(config, Map.of("STRATA_CHAP_SECRET", "s3cret-s3cret"), "attach", "t1", "--dry-run");
    assertThat(secret.out()).doesNotContain("s3cret").contains("node.session.auth.password -v '********'");
  }

  @Test
  void completionScriptCoversTheApiCommands() {
    Result r = strata("generate-completion");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("complete -F _complete_strata").contains("hibernate").contains("set-quota");
  }
}
