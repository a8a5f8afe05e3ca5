package io.strata.billing.metering;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which generation of a tenant's month is open, and the locks that keep ingestion and closing
 * apart: ingestion holds a shared lock on each tenant's bucket while it adds usage, closing an
 * invoice holds it exclusively, so a close never misses usage that was being added as it ran.
 * Tenants are spread over {@value #BUCKETS} buckets to bound the locks one batch takes.
 */
public final class UsageGenerations {

  static final int LOCK_CLASS = 7_007;
  static final int BUCKETS = 64;

  public record TenantMonth(String tenantId, YearMonth month) {}

  public static int bucket(String tenantId) {
    return Math.floorMod(tenantId.hashCode(), BUCKETS);
  }

  public static void lockShared(Connection connection, Collection<String> tenantIds) throws SQLException {
    TreeSet<Integer> buckets = new TreeSet<>();
    tenantIds.forEach(t -> buckets.add(bucket(t)));
    try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock_shared(?, ?)")) {
      for (int bucket : buckets) {
        lock.setInt(1, LOCK_CLASS);
        lock.setInt(2, bucket);
        lock.execute();
      }
    }
  }

  /** Takes the tenants' buckets exclusively, in bucket order like {@link #lockShared} (no deadlock between the two). */
  public static void lockExclusive(Connection connection, Collection<String> tenantIds) throws SQLException {
    TreeSet<Integer> buckets = new TreeSet<>();
    tenantIds.forEach(t -> buckets.add(bucket(t)));
    try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
      for (int bucket : buckets) {
        lock.setInt(1, LOCK_CLASS);
        lock.setInt(2, bucket);
        lock.execute();
      }
    }
  }

  /** The open generation of every month of these tenants that has one above 0. */
  public static Map<TenantMonth, Integer> current(Connection connection, Collection<String> tenantIds) throws SQLException {
    Map<TenantMonth, Integer> generations = new HashMap<>();
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT tenant_id, month, generation FROM usage_generation WHERE tenant_id = ANY (?)")) {
      select.setArray(1, connection.createArrayOf("text", tenantIds.toArray()));
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          generations.put(new TenantMonth(rows.getString(1), YearMonth.from(rows.getObject(2, LocalDate.class))), rows.getInt(3));
        }
      }
    }
    return generations;
  }

  /** Moves these months of a tenant to their next generation: what they held so far is invoiced. */
  public static void advance(Connection connection, Map<String, ? extends Collection<YearMonth>> monthsByTenant) throws SQLException {
    try (PreparedStatement upsert = connection.prepareStatement(
        "INSERT INTO usage_generation (tenant_id, month, generation) VALUES (?, ?, 1) "
            + "ON CONFLICT (tenant_id, month) DO UPDATE SET generation = usage_generation.generation + 1")) {
      for (Map.Entry<String, ? extends Collection<YearMonth>> tenant : new TreeMap<>(monthsByTenant).entrySet()) {
        for (YearMonth month : new TreeSet<>(tenant.getValue())) {
          upsert.setString(1, tenant.getKey());
          upsert.setObject(2, month.atDay(1));
          upsert.addBatch();
        }
      }
      upsert.executeBatch();
    }
  }

  public static YearMonth monthOf(Instant hour) {
    return YearMonth.from(hour.atOffset(ZoneOffset.UTC));
  }

  private UsageGenerations() {}
}
