package io.strata.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresTestResourceTest {

  @Test
  void givesAFreshDatabaseAndDropsItAfterwards() throws Exception {
    PostgresTestResource resource = new PostgresTestResource();
    Map<String, String> config = resource.start();
    String url = config.get("quarkus.datasource.jdbc.url");
    try (Connection c = DriverManager.getConnection(url, "strata", "strata");
        ResultSet tables = c.createStatement().executeQuery(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
      tables.next();
      assertThat(tables.getInt(1)).isZero();
    }
    resource.stop();
    assertThatThrownBy(() -> DriverManager.getConnection(url, "strata", "strata").close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("does not exist");
  }
}
