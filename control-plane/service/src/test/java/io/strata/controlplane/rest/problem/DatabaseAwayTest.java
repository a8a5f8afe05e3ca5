package io.strata.controlplane.rest.problem;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.persistence.PersistenceException;
import java.sql.SQLException;
import org.hibernate.exception.ConstraintViolationException;
import org.hibernate.exception.JDBCConnectionException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * While PostgreSQL fails over, requests fail on the database, not on themselves: those answer 503
 * with Retry-After (seen as 500 in the cluster smoke), and everything else keeps its own answer.
 */
class DatabaseAwayTest {
  @Test
  void aLostOrRefusedConnectionOrAReadOnlyFormerPrimaryIsTheDatabaseBeingAway() {
    assertThat(ProblemMappers.databaseAway(wrapped(new PSQLException("I/O error", PSQLState.CONNECTION_FAILURE))))
        .isTrue();
    assertThat(ProblemMappers.databaseAway(wrapped(new PSQLException("refused", PSQLState.CONNECTION_UNABLE_TO_CONNECT))))
        .isTrue();
    assertThat(ProblemMappers.databaseAway(wrapped(new SQLException("terminating connection", "57P01")))).isTrue();
    assertThat(ProblemMappers.databaseAway(wrapped(new SQLException("read-only transaction", "25006")))).isTrue();
    assertThat(ProblemMappers.databaseAway(new JDBCConnectionException("lost", new SQLException("x")))).isTrue();
    assertThat(ProblemMappers.databaseAway(wrapped(new SQLException("Sorry, acquisition timeout!")))).isTrue();
  }

  @Test
  void aRequestsOwnFailureIsNot() {
    assertThat(ProblemMappers.databaseAway(new ConstraintViolationException("dup",
        new SQLException("duplicate key", "23505"), "volume_name_per_array"))).isFalse();
    assertThat(ProblemMappers.databaseAway(wrapped(new SQLException("syntax", "42601")))).isFalse();
    assertThat(ProblemMappers.databaseAway(new IllegalStateException("bug"))).isFalse();
  }

  private static RuntimeException wrapped(SQLException cause) {
    return new PersistenceException("could not execute statement", cause);
  }
}
