package io.strata.billing.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.strata.billing.domain.Invoice;
import io.strata.billing.domain.InvoiceLine;
import io.strata.billing.domain.PricePlan;
import io.strata.billing.invoice.InvoiceCalculator;
import io.strata.billing.invoice.InvoiceCalculator.Draft;
import io.strata.billing.invoice.InvoiceCalculator.DraftLine;
import io.strata.billing.invoice.InvoiceCalculator.UsageRow;
import io.strata.billing.rating.PlanBook;
import io.strata.billing.rating.RatingException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Closing monthly periods into frozen invoices, and the running cost of the open period.
 *
 * <p>Closing takes every open hourly rollup row of the tenant up to the period's end (marking it
 * with the invoice id, in the same transaction that writes the invoice), so a row is invoiced once
 * and only once: rows of earlier, already closed months (usage that arrived late) become
 * adjustment lines of this invoice.
 */
@ApplicationScoped
@Transactional
public class InvoiceService {

  private static final Logger LOG = Logger.getLogger(InvoiceService.class);

  @Inject DataSource dataSource;

  /** The invoice and whether this call closed it (false: it was already closed, nothing changed). */
  public record Closed(Invoice invoice, boolean newlyClosed) {}

  /** One tenant's outcome of closing a period for everyone. */
  public record TenantOutcome(String tenantId, Long invoiceId, boolean newlyClosed, String problem) {}

  public Closed close(String tenantId, YearMonth period, String closedBy) {
    return close(tenantId, period, closedBy, null);
  }

  private Closed close(String tenantId, YearMonth period, String closedBy, List<PricePlan> plans) {
    requireEnded(period);
    lockTenant(tenantId);
    var existing = Invoice.findFor(tenantId, period.toString());
    if (existing.isPresent()) {
      existing.get().lines.size();
      return new Closed(existing.get(), false);
    }
    Invoice invoice = new Invoice();
    invoice.tenantId = tenantId;
    invoice.period = period.toString();
    invoice.closedAt = Instant.now();
    invoice.closedBy = closedBy;
    invoice.currency = InvoiceCalculator.NO_CURRENCY;
    invoice.total = java.math.BigDecimal.ZERO;
    invoice.persist();
    List<UsageRow> rows = takeOpenRows(tenantId, periodEnd(period), invoice.id);
    PlanBook book = plans == null ? PlanService.planBook(tenantId, PricePlan.listAll()) : PlanService.planBook(tenantId, plans);
    Draft draft = InvoiceCalculator.calculate(tenantId, period, rows, book);
    invoice.currency = draft.currency();
    invoice.total = draft.total();
    for (DraftLine line : draft.lines()) {
      InvoiceLine frozen = new InvoiceLine();
      frozen.invoice = invoice;
      frozen.lineNo = line.lineNo();
      frozen.arrayId = line.arrayId();
      frozen.resource = line.resource();
      frozen.usagePeriod = line.usagePeriod();
      frozen.adjustment = line.adjustment();
      frozen.description = line.description();
      frozen.planName = line.planName();
      frozen.quantity = line.quantity();
      frozen.unit = line.unit();
      frozen.rate = line.rate();
      frozen.amount = line.amount();
      invoice.lines.add(frozen);
    }
    LOG.infof("closed %s for tenant %s: %d lines, %s %s", period, tenantId, invoice.lines.size(), invoice.total, invoice.currency);
    return new Closed(invoice, true);
  }

  /**
   * Closes {@code period} for every tenant with open usage up to its end, each tenant in its own
   * transaction so that one tenant's pricing problem does not hold back the others.
   */
  @Transactional(Transactional.TxType.NEVER)
  public List<TenantOutcome> closeAll(YearMonth period, String closedBy) {
    requireEnded(period);
    List<String> tenants = QuarkusTransaction.requiringNew().call(() -> tenantsWithOpenUsage(periodEnd(period)));
    List<PricePlan> plans = QuarkusTransaction.requiringNew().call(() -> {
      List<PricePlan> all = PricePlan.listAll();
      all.forEach(p -> p.versions.forEach(v -> v.rates.size()));
      return all;
    });
    List<TenantOutcome> outcomes = new ArrayList<>();
    for (String tenant : tenants) {
      try {
        Closed closed = QuarkusTransaction.requiringNew().call(() -> close(tenant, period, closedBy, plans));
        outcomes.add(new TenantOutcome(tenant, closed.invoice().id, closed.newlyClosed(), null));
      } catch (RatingException | ProblemException e) {
        LOG.warnf("could not close %s for tenant %s: %s", period, tenant, e.getMessage());
        outcomes.add(new TenantOutcome(tenant, null, false, e.getMessage()));
      }
    }
    return outcomes;
  }

  /** What the tenant has used in the running month and not yet been invoiced for, priced now. */
  @Transactional(Transactional.TxType.SUPPORTS)
  public Draft runningCost(String tenantId, Instant now) {
    YearMonth period = YearMonth.from(now.atOffset(ZoneOffset.UTC));
    List<UsageRow> rows = openRows(tenantId, periodEnd(period));
    return InvoiceCalculator.calculate(tenantId, period, rows, PlanService.planBook(tenantId, PricePlan.listAll()));
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Invoice find(long id) {
    Invoice invoice = Invoice.findById(id);
    if (invoice == null) {
      throw ProblemException.notFound("no invoice " + id);
    }
    invoice.lines.size();
    return invoice;
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public List<Invoice> list(String tenantId, String period, int page, int size) {
    StringBuilder query = new StringBuilder("1 = 1");
    java.util.Map<String, Object> parameters = new java.util.HashMap<>();
    if (tenantId != null) {
      query.append(" and tenantId = :tenant");
      parameters.put("tenant", tenantId);
    }
    if (period != null) {
      query.append(" and period = :period");
      parameters.put("period", period);
    }
    query.append(" order by period desc, tenantId, id");
    List<Invoice> invoices = Invoice.<Invoice>find(query.toString(), parameters).page(page, size).list();
    invoices.forEach(i -> i.lines.size());
    return invoices;
  }

  public static Instant periodStart(YearMonth period) {
    return period.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  public static Instant periodEnd(YearMonth period) {
    return periodStart(period.plusMonths(1));
  }

  private static void requireEnded(YearMonth period) {
    if (periodEnd(period).isAfter(Instant.now())) {
      throw ProblemException.conflict("period " + period + " has not ended yet; it can be closed from " + periodEnd(period));
    }
  }

  private void lockTenant(String tenantId) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
      lock.setString(1, "billing-close:" + tenantId);
      lock.execute();
    } catch (SQLException e) {
      throw new IllegalStateException("could not lock tenant " + tenantId + " for closing: " + e.getMessage(), e);
    }
  }

  private List<UsageRow> takeOpenRows(String tenantId, Instant end, long invoiceId) {
    return rows("UPDATE usage_hourly SET invoice_id = ? WHERE tenant_id = ? AND invoice_id IS NULL AND hour < ? "
        + "RETURNING array_id, resource, hour, quantity", invoiceId, tenantId, end);
  }

  private List<UsageRow> openRows(String tenantId, Instant end) {
    return rows("SELECT array_id, resource, hour, quantity FROM usage_hourly WHERE tenant_id = ? AND invoice_id IS NULL AND hour < ?",
        null, tenantId, end);
  }

  private List<UsageRow> rows(String sql, Long invoiceId, String tenantId, Instant end) {
    List<UsageRow> rows = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      int i = 1;
      if (invoiceId != null) {
        statement.setLong(i++, invoiceId);
      }
      statement.setString(i++, tenantId);
      statement.setTimestamp(i, Timestamp.from(end));
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          rows.add(new UsageRow(result.getString(1), result.getString(2), result.getTimestamp(3).toInstant(), result.getBigDecimal(4)));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("could not read usage of tenant " + tenantId + ": " + e.getMessage(), e);
    }
  }

  private List<String> tenantsWithOpenUsage(Instant end) {
    List<String> tenants = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(
            "SELECT DISTINCT tenant_id FROM usage_hourly WHERE invoice_id IS NULL AND hour < ? ORDER BY tenant_id")) {
      statement.setTimestamp(1, Timestamp.from(end));
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          tenants.add(result.getString(1));
        }
      }
      return tenants;
    } catch (SQLException e) {
      throw new IllegalStateException("could not list tenants with open usage: " + e.getMessage(), e);
    }
  }
}
