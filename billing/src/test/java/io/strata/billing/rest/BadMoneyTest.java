package io.strata.billing.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.strata.billing.metering.MeteringConsumer;
import io.strata.billing.support.BillingTestProfile;
import io.strata.testsupport.Tokens;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 3: one operator request with an absurd rate stopped billing (a 500, a broken
 * connection back in the pool, plan reads failing, the consumers dead), and 1E+999999999 was
 * stored as 0. A rate out of the money columns' bounds is a 400 naming the rate, nothing is
 * stored, and billing goes on as before.
 */
@QuarkusTest
@TestProfile(BillingTestProfile.class)
class BadMoneyTest {

  @Inject MeteringConsumer consumer;
  @Inject AgroalDataSource dataSource;

  @Test
  void anOutOfBoundsRateIsA400NamingItAndPlansStillRead() {
    String ops = Tokens.accessToken("ops");
    long plan = given().auth().oauth2(ops).contentType("application/json")
        .body("{\"name\":\"bounded\",\"currency\":\"EUR\",\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"rates\":{\"storage:SSD\":\"0.0001875\"}}")
        .post("/api/v1/plans").then().statusCode(201).extract().jsonPath().getLong("id");

    String[] outOfBounds = {"1E+200000", "\"1E+200000\"", "1E+999999999", "1E+2147483647", "1E-16384", "\"1E-200000\"",
        "12345678901", "0.0000000000001", "-1"};
    for (String rate : outOfBounds) {
      for (int attempt = 0; attempt < 3; attempt++) { // more bad requests than the pool has idle connections
        given().auth().oauth2(ops).contentType("application/json")
            .body("{\"effectiveFrom\":\"2026-0" + (attempt + 2) + "-01T00:00:00Z\",\"rates\":{\"storage:SSD\":" + rate + ",\"io\":\"0.2\"}}")
            .post("/api/v1/plans/" + plan + "/versions")
            .then().statusCode(400).contentType("application/problem+json")
            .body("errors.field", hasItem("rates[\"storage:SSD\"]"));
      }
      given().auth().oauth2(ops).get("/api/v1/plans/" + plan).then().statusCode(200).body("versions.size()", equalTo(1));
      given().auth().oauth2(ops).get("/api/v1/plans").then().statusCode(200);
    }
    // the largest rate the columns hold is kept exactly
    given().auth().oauth2(ops).contentType("application/json")
        .body("{\"effectiveFrom\":\"2026-02-01T00:00:00Z\",\"rates\":{\"storage:SSD\":\"9999999999.999999999999\"}}")
        .post("/api/v1/plans/" + plan + "/versions").then().statusCode(201);
    assertThat(given().auth().oauth2(ops).get("/api/v1/plans/" + plan).then().statusCode(200).extract().asString())
        .contains("\"storage:SSD\":9999999999.999999999999");
    assertThat(consumer.isRunning()).isTrue();
  }

  /**
   * The cause of the broken connection, at the driver: its binary NUMERIC encoding threw in the
   * middle of a protocol message for a scale over 16383 (the connection then answered the wrong
   * results) and wrapped large exponents to 0. With NUMERIC sent as text, PostgreSQL refuses both
   * cleanly and the connection keeps working.
   */
  @Test
  void theDatabaseRefusesUnholdableNumbersAndTheConnectionStaysSound() throws SQLException {
    for (String number : new String[] {"1E-16384", "1E+999999999"}) {
      try (Connection connection = dataSource.getConnection()) {
        assertThatThrownBy(() -> selectNumeric(connection, new BigDecimal(number)))
            .hasRootCauseInstanceOf(SQLException.class)
            .rootCause().hasMessageContaining("numeric");
        try (PreparedStatement select = connection.prepareStatement("SELECT 41 + 1");
            ResultSet row = select.executeQuery()) {
          assertThat(row.next()).isTrue();
          assertThat(row.getInt(1)).isEqualTo(42);
        }
      }
    }
  }

  private static void selectNumeric(Connection connection, BigDecimal value) {
    try (PreparedStatement select = connection.prepareStatement("SELECT ?::numeric")) {
      select.setBigDecimal(1, value);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        throw new AssertionError("the database took " + value + " as " + row.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
