import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scale drill's provisioning load (infra/cluster/scale-drill, docs/benchmarks/scale.md): for
 * tenants RUN-FROM..RUN-(TO-1), one every 1/RATE s whatever the answers (a steady rate, not a closed loop),
 * each on a thread of its own: the operator onboards the tenant (its admin in Keycloak), the
 * admin signs in, creates one E01 array on 2 SSDs, waits for it to be ONLINE, then makes a RAID1
 * pool and VOLUMES thin 1 GiB volumes. Run with Kafka's libraries (they include Jackson):
 *
 * <pre>java -cp "$KAFKA_HOME/libs/*" ScaleLoad.java API KEYCLOAK RUN FROM TO RATE VOLUMES OUT.csv</pre>
 *
 * OUT.csv gets a line per tenant: index, array id, seconds from the array's create to ONLINE
 * (-1: not within 600 s), volumes created, requests sent, error. The last line printed is the
 * number of API requests sent in all (the drill divides the control plane's CPU by it).
 *
 * Retries follow the client rule of docs/operations.md ("The chaos test"): a request without an
 * answer (no connection, time-out), 502/503/504 or 429 is sent again with the same
 * Idempotency-Key; 401 signs in again; any other 4xx fails the tenant.
 */
public class ScaleLoad {

  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final AtomicLong REQUESTS = new AtomicLong();
  static final String PASSWORD = "scale-drill-password";

  static String api;
  static String keycloak;
  static String run;

  public static void main(String[] args) throws Exception {
    if (args.length != 8) {
      System.err.println("usage: ScaleLoad API KEYCLOAK RUN FROM TO RATE VOLUMES OUT.csv");
      System.exit(2);
    }
    api = args[0];
    keycloak = args[1];
    run = args[2];
    int from = Integer.parseInt(args[3]);
    int to = Integer.parseInt(args[4]);
    double rate = Double.parseDouble(args[5]);
    int volumes = Integer.parseInt(args[6]);
    Path out = Path.of(args[7]);
    long every = (long) (TimeUnit.SECONDS.toNanos(1) / rate);
    Session operator = new Session("ops", "strata-demo");
    List<Future<String>> results = new ArrayList<>();
    // a thread per tenant in flight (Java 17 on this machine: no virtual threads)
    ExecutorService threads = Executors.newCachedThreadPool();
    try {
      long next = System.nanoTime();
      for (int i = from; i < to; i++) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        next += every;
        int tenant = i;
        results.add(threads.submit(() -> tenant(operator, tenant, volumes)));
      }
      try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
        for (Future<String> r : results) {
          csv.println(r.get());
        }
      }
    } finally {
      threads.shutdown();
    }
    System.out.println(REQUESTS.get());
  }

  /** One tenant's whole provisioning; a CSV line. */
  static String tenant(Session operator, int i, int volumes) {
    // the run's own aliases: a tenant half made by an earlier run (its Keycloak organization
    // created, its row not) holds its alias
    String alias = run + "-" + i;
    long before = REQUESTS.get();
    String array = "";
    double online = -1;
    int made = 0;
    try {
      String user = alias + "-admin";
      operator.create("/admin/tenants", Map.of("alias", alias, "displayName", "Scale drill " + run + " tenant " + i,
          "admin", Map.of("username", user, "email", user + "@scale.example", "password", PASSWORD),
          "quota", Map.of("maxArrays", 1, "maxSsdDrives", 2, "maxHddDrives", 0, "maxCapacityGib", 1000)),
          run + "-tenant-" + i);
      Session admin = new Session(user, PASSWORD);
      long t0 = System.nanoTime();
      array = admin.create("/arrays", Map.of("name", "a" + i, "engineSize", "E01", "ssdDrives", 2,
          "hddDrives", 0, "spread", "NONE"), run + "-array-" + i).get("id").asText();
      online = admin.waitFor("/arrays/" + array, "ONLINE", Duration.ofSeconds(600), t0);
      if (online < 0) {
        return line(i, array, online, made, before, "not ONLINE within 600 s");
      }
      String pool = admin.create("/pools", Map.of("arrayId", array, "name", "p", "driveType", "SSD",
          "protection", "RAID1", "driveCount", 2), run + "-pool-" + i).get("id").asText();
      for (int v = 0; v < volumes; v++) {
        admin.create("/volumes", Map.of("poolId", pool, "name", "v" + v, "sizeGib", 1), run + "-vol-" + i + "-" + v);
        made++;
      }
      return line(i, array, online, made, before, "");
    } catch (Exception e) {
      return line(i, array, online, made, before, String.valueOf(e.getMessage()).replace(',', ';').replace('\n', ' '));
    }
  }

  static String line(int i, String array, double online, int volumes, long before, String error) {
    return i + "," + array + "," + String.format("%.2f", online) + "," + volumes + "," + (REQUESTS.get() - before) + "," + error;
  }

  /** A signed-in user: a password grant of the public client strata-cli, renewed on 401. */
  static final class Session {
    private final String user;
    private final String password;
    private volatile String token;

    Session(String user, String password) throws Exception {
      this.user = user;
      this.password = password;
      signIn();
    }

    void signIn() throws Exception {
      String form = "grant_type=password&client_id=strata-cli&username=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
          + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
      for (int attempt = 0; ; attempt++) {
        try {
          HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(keycloak + "/realms/strata/protocol/openid-connect/token"))
              .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            token = JSON.readTree(r.body()).get("access_token").asText();
            return;
          }
          if (attempt >= 30) {
            throw new IllegalStateException("sign-in of " + user + ": " + r.statusCode());
          }
        } catch (java.io.IOException e) {
          if (attempt >= 30) {
            throw e;
          }
        }
        Thread.sleep(1000);
      }
    }

    /** POST with an Idempotency-Key until answered 200/201, under the client retry rule. */
    JsonNode create(String path, Object body, String key) throws Exception {
      String json = JSON.writeValueAsString(body);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (true) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(api + path)).header("Content-Type", "application/json")
            .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(json)));
        int status = r == null ? 0 : r.statusCode();
        if (status == 200 || status == 201) {
          return JSON.readTree(r.body());
        }
        if (status == 401) {
          signIn();
        } else if (status >= 400 && status < 500 && status != 429) {
          throw new IllegalStateException("POST " + path + ": " + status + " " + r.body());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("POST " + path + " not answered within 120 s: " + status);
        }
        Thread.sleep(1000);
      }
    }

    /** Seconds from t0 until GET path says state, or -1 after limit. */
    double waitFor(String path, String state, Duration limit, long t0) throws Exception {
      while (System.nanoTime() - t0 < limit.toNanos()) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(api + path)).GET());
        if (r != null && r.statusCode() == 200) {
          String now = JSON.readTree(r.body()).path("state").asText();
          if (state.equals(now)) {
            return (System.nanoTime() - t0) / 1e9;
          }
          if ("FAILED".equals(now)) {
            throw new IllegalStateException(path + " FAILED: " + r.body());
          }
        } else if (r != null && r.statusCode() == 401) {
          signIn();
        }
        Thread.sleep(500);
      }
      return -1;
    }

    /** One request; null when no answer came (the caller retries). */
    HttpResponse<String> send(HttpRequest.Builder request) throws InterruptedException {
      REQUESTS.incrementAndGet();
      try {
        return HTTP.send(request.timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (java.io.IOException e) {
        return null;
      }
    }
  }
}
