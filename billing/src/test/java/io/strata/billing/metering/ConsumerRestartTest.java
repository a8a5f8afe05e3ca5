package io.strata.billing.metering;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.strata.billing.support.Await;
import io.strata.billing.support.BillingTestProfile;
import io.strata.billing.support.UsageStream;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.ArrayUsageSample.DriveAllocation;
import io.strata.contracts.usage.ArrayUsageSample.DriveType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 3: a metering consumer that failed (there: "could not read stored offsets") died
 * for good while /q/health said UP. Here the real database refuses the batch's offsets (the
 * privilege to write them is revoked): the consumer stops, readiness reports DOWN naming it,
 * and once the privilege is back the consumer restarts by itself, stores the sample exactly once
 * and readiness is UP again.
 */
@QuarkusTest
@TestProfile(BillingTestProfile.class)
class ConsumerRestartTest {

  static final long GB = 1_000_000_000L;
  static final String CHECK = "billing-metering"; // health.MeteringHealthCheck.NAME

  @Test
  void aConsumerStoppedByTheDatabaseIsDownThenRestartsAndIsUp() throws Exception {
    awaitReadiness(200, "UP");
    Instant hour = Instant.parse("2026-08-01T10:00:00Z");
    ArrayUsageSample sample = new ArrayUsageSample("a-restart", "restart-co", "node-1", hour, hour.plus(Duration.ofHours(1)),
        List.of(new DriveAllocation(DriveType.SSD, 1, 100 * GB)), "small", List.of(), 0, 0, 0, 0, 0, 0);
    try (Connection admin = database()) {
      execute(admin, "REVOKE INSERT, UPDATE ON consumer_offset FROM CURRENT_USER");
      try {
        try (UsageStream stream = new UsageStream()) {
          stream.sample("agent/restart-test", 1, sample);
        }
        JsonPath down = awaitReadiness(503, "DOWN");
        assertThat(down.getString("checks.find { it.name == '" + CHECK + "' }.status")).isEqualTo("DOWN");
        assertThat(down.getMap("checks.find { it.name == '" + CHECK + "' }.data").toString())
            .contains("STOPPED").contains("consumer_offset");
        assertThat(readings(admin)).isZero();
        // it backs off: the empty polls of each rejoin do not count as recovering, so the
        // failures in a row grow instead of starting over at each restart
        Await.until("a growing count of failures in a row",
            () -> String.valueOf(given().get("/q/health/ready").then().extract().jsonPath()
                .getMap("checks.find { it.name == '" + CHECK + "' }.data")),
            data -> data.matches("(?s).*failures-in-a-row=([3-9]|\\d\\d).*"), Duration.ofSeconds(60));
        assertThat(readings(admin)).isZero();
      } finally {
        execute(admin, "GRANT INSERT, UPDATE ON consumer_offset TO CURRENT_USER");
      }
      awaitReadiness(200, "UP");
      Await.until("the sample stored once after the restart", () -> readings(admin), n -> n == 1, Duration.ofSeconds(30));
    }
    // each restart made a new Kafka consumer; the timers that refreshed the old ones' figures stopped
    int members = ConfigProvider.getConfig().getOptionalValue("strata.billing.metering.consumers", Integer.class).orElse(2);
    assertThat(Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals(MeteringConsumer.KAFKA_METRICS_THREAD_NAME)).count())
        .as("threads refreshing the Kafka consumers' figures").isLessThanOrEqualTo(members);
  }

  private static JsonPath awaitReadiness(int status, String state) {
    return Await.until("readiness " + state,
        () -> given().get("/q/health/ready").then().extract(),
        r -> r.statusCode() == status && state.equals(r.jsonPath().getString("status")),
        Duration.ofSeconds(60)).jsonPath();
  }

  private static Connection database() throws SQLException {
    Config config = ConfigProvider.getConfig();
    return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
        config.getValue("quarkus.datasource.username", String.class), config.getValue("quarkus.datasource.password", String.class));
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET search_path TO billing");
      statement.execute(sql);
    }
  }

  private static long readings(Connection connection) {
    try (PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM billing.reading WHERE source = 'agent/restart-test'");
        ResultSet row = count.executeQuery()) {
      row.next();
      return row.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
