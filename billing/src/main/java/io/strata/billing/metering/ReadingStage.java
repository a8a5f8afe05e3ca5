package io.strata.billing.metering;

import io.strata.billing.metering.ReadingDecoder.Reading;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * Moves a batch of readings into the reading table the fast way: PostgreSQL's COPY (PgJDBC's copy
 * API, text format) streams them into a temporary staging table of the connection, and one
 * {@code INSERT ... SELECT ... ON CONFLICT (source, sequence) DO NOTHING} moves them from there,
 * answering which rows of the batch were new. The staging table is emptied when the transaction
 * ends ({@code ON COMMIT DELETE ROWS}; a rollback takes its rows too), so a batch that dies between
 * the COPY and the commit leaves nothing behind, in the stage or anywhere else.
 */
final class ReadingStage {

  private static final String TABLE = "billing_reading_stage";
  private static final String CREATE =
      "CREATE TEMP TABLE IF NOT EXISTS " + TABLE + " (ord INT NOT NULL, source TEXT NOT NULL, sequence BIGINT NOT NULL, "
          + "message_id TEXT NOT NULL, type TEXT NOT NULL, tenant_id TEXT NOT NULL, array_id TEXT NOT NULL, "
          + "interval_start TIMESTAMPTZ, interval_end TIMESTAMPTZ, status TEXT NOT NULL, envelope BYTEA NOT NULL, "
          + "kafka_topic TEXT NOT NULL, kafka_partition INT NOT NULL, kafka_offset BIGINT NOT NULL) ON COMMIT DELETE ROWS";
  private static final String COPY =
      "COPY " + TABLE + " (ord, source, sequence, message_id, type, tenant_id, array_id, interval_start, interval_end, "
          + "status, envelope, kafka_topic, kafka_partition, kafka_offset) FROM STDIN";
  /** New rows in the order they were consumed; answers the staging ordinal of each row that was new. */
  private static final String MERGE =
      "WITH new_reading AS (INSERT INTO reading (source, sequence, message_id, type, tenant_id, array_id, interval_start, "
          + "interval_end, status, envelope, kafka_topic, kafka_partition, kafka_offset, received_at) "
          + "SELECT source, sequence, message_id, type, tenant_id, array_id, interval_start, interval_end, status, envelope, "
          + "kafka_topic, kafka_partition, kafka_offset, ? FROM " + TABLE + " ORDER BY ord "
          + "ON CONFLICT (source, sequence) DO NOTHING RETURNING source, sequence) "
          + "SELECT s.ord FROM " + TABLE + " s JOIN new_reading n ON n.source = s.source AND n.sequence = s.sequence";
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final int BUFFER = 1 << 16;

  private ReadingStage() {}

  /**
   * Stores the readings that are new and tells which were. {@code readings} must not hold the same
   * (source, sequence) twice (the caller keeps the first); the answer is indexed like it.
   */
  static boolean[] insertNew(Connection connection, List<Reading> readings, Instant receivedAt) throws SQLException {
    boolean[] inserted = new boolean[readings.size()];
    if (readings.isEmpty()) {
      return inserted;
    }
    stage(connection, readings);
    try (PreparedStatement merge = connection.prepareStatement(MERGE)) {
      merge.setTimestamp(1, Timestamp.from(receivedAt));
      try (ResultSet rows = merge.executeQuery()) {
        while (rows.next()) {
          inserted[rows.getInt(1)] = true;
        }
      }
    }
    return inserted;
  }

  /**
   * Leaves exactly these readings in the stage. It is emptied first: a caller that stores two
   * batches in one transaction (the stage is only emptied by the commit) must not merge the first again.
   */
  static void stage(Connection connection, List<Reading> readings) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(CREATE);
      statement.execute("DELETE FROM " + TABLE);
    }
    copy(connection, readings);
  }

  private static void copy(Connection connection, List<Reading> readings) throws SQLException {
    PGCopyOutputStream stream = new PGCopyOutputStream(connection.unwrap(PGConnection.class), COPY, BUFFER);
    try {
      Writer out = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
      StringBuilder row = new StringBuilder(4096);
      char[] chars = new char[4096];
      for (int i = 0; i < readings.size(); i++) {
        row.setLength(0);
        appendRow(row, i, readings.get(i));
        if (chars.length < row.length()) {
          chars = new char[row.length() * 2];
        }
        row.getChars(0, row.length(), chars, 0);
        out.write(chars, 0, row.length()); // whole rows: the encoder and the copy stream work in bulk
      }
      out.flush();
      stream.endCopy();
    } catch (IOException e) {
      throw new SQLException("could not stream a batch into " + TABLE + ": " + e.getMessage(), e);
    } finally {
      if (stream.isActive()) {
        stream.cancelCopy(); // the transaction fails and rolls back; the connection stays usable
      }
    }
  }

  /** One line of COPY's text format: tab-separated, {@code \N} for null, bytea in hex. */
  static void appendRow(StringBuilder row, int ord, Reading r) {
    row.append(ord);
    field(row, r.source());
    row.append('\t').append(r.sequence());
    field(row, r.messageId());
    field(row, r.type());
    field(row, r.tenantId());
    field(row, r.arrayId());
    field(row, r.sample() == null ? null : r.sample().intervalStart().toString());
    field(row, r.sample() == null ? null : r.sample().intervalEnd().toString());
    field(row, r.status());
    row.append("\t\\\\x"); // "\\x": COPY unescapes it to bytea's hex prefix \x
    for (byte b : r.record().value()) {
      row.append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
    }
    field(row, r.record().topic());
    row.append('\t').append(r.record().partition()).append('\t').append(r.record().offset()).append('\n');
  }

  /** A tab, then the value with COPY's text-format escapes (backslash, tab, newline, carriage return). */
  private static void field(StringBuilder row, String value) {
    row.append('\t');
    if (value == null) {
      row.append("\\N");
      return;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> row.append("\\\\");
        case '\t' -> row.append("\\t");
        case '\n' -> row.append("\\n");
        case '\r' -> row.append("\\r");
        default -> row.append(c);
      }
    }
  }
}
