package io.strata.billing.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Which tenants billing knows. Billing has no tenant table (tenants live in the control plane);
 * a tenant is known here once it has metered usage, an invoice, or a plan assignment (an
 * operator assigns a plan to a new tenant before its usage arrives). An operator naming a tenant
 * billing does not know, in a close or a cost or usage query, gets a 404 naming the tenant rather
 * than an empty invoice: a typo must not look like a tenant with nothing to pay.
 */
@ApplicationScoped
public class Tenants {

  /** The control plane's tenant alias (the {@code tenant} claim of its users' tokens). */
  public static final String ALIAS = "^[a-z][a-z0-9-]{1,31}$";
  public static final String ALIAS_MESSAGE = "must be a tenant alias: 2-32 lower-case letters, digits or '-', starting with a letter";

  @Inject DataSource dataSource;

  /** Refuses a tenant billing knows nothing of, naming the request's {@code parameter}. */
  @Transactional(Transactional.TxType.SUPPORTS)
  public void requireKnown(String parameter, String tenantId) {
    if (!isKnown(tenantId)) {
      throw ProblemException.notFound(parameter, "billing knows no tenant " + tenantId + " (no usage, invoice or plan assignment)");
    }
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public boolean isKnown(String tenantId) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM usage_hourly WHERE tenant_id = ?)"
                + " OR EXISTS (SELECT 1 FROM invoice WHERE tenant_id = ?)"
                + " OR EXISTS (SELECT 1 FROM tenant_plan WHERE tenant_id = ?)")) {
      for (int i = 1; i <= 3; i++) {
        query.setString(i, tenantId);
      }
      try (ResultSet row = query.executeQuery()) {
        return row.next() && row.getBoolean(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not look up tenant " + tenantId + ": " + e.getMessage(), e);
    }
  }
}
