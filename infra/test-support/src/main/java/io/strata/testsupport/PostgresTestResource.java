package io.strata.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * Gives a Quarkus test a fresh, empty database on the real PostgreSQL, and drops it afterwards.
 * Flyway in the service under test then builds the schema from nothing, as in production.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

  private String database;

  @Override
  public Map<String, String> start() {
    database = createDatabase("test");
    return Map.of(
        "quarkus.datasource.db-kind", "postgresql",
        "quarkus.datasource.jdbc.url", jdbcUrl(database),
        "quarkus.datasource.username", TestServers.postgresUser(),
        "quarkus.datasource.password", TestServers.postgresPassword());
  }

  @Override
  public void stop() {
    if (database != null) {
      dropDatabase(database);
    }
  }

  /** Creates an empty database named {@code prefix_<random>} and returns its name. */
  public static String createDatabase(String prefix) {
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    execute("CREATE DATABASE " + name);
    return name;
  }

  public static void dropDatabase(String name) {
    execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  /** The JDBC URL of {@code database} on the test server. */
  public static String jdbcUrl(String database) {
    String admin = TestServers.postgresAdminUrl();
    return admin.substring(0, admin.lastIndexOf('/') + 1) + database;
  }

  private static void execute(String sql) {
    String url = TestServers.postgresAdminUrl();
    TestServers.requireListening("PostgreSQL", URI.create(url.substring("jdbc:".length())));
    try (Connection connection =
            DriverManager.getConnection(url, TestServers.postgresUser(), TestServers.postgresPassword());
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL refused `" + sql + "`: " + e.getMessage(), e);
    }
  }
}
