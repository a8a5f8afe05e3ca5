package io.strata.billing.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.strata.billing.domain.Invoice;
import io.strata.billing.domain.InvoiceLine;
import io.strata.billing.domain.PricePlan;
import io.strata.billing.invoice.InvoiceCalculator;
import io.strata.billing.metering.UsageGenerations;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Closing monthly periods into frozen invoices, and the running cost of the open period.
 *
 * <p>Closing takes the open generation of every month of the tenant up to the period's end and
 * moves those months to their next generation, in the same transaction that writes the invoice
 * (see {@link UsageGenerations}), so usage is invoiced once and only once: usage of earlier,
 * already closed months (it arrived late) becomes adjustment lines of this invoice.
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
    requireEnded(period);
    TenantOutcome outcome = closeTogether(List.of(tenantId), period, closedBy, PricePlan.listAll(), true).get(0);
    return new Closed(find(outcome.invoiceId()), outcome.newlyClosed());
  }

  /**
   * Closes {@code period} for every tenant with open usage up to its end, {@value #CLOSE_CHUNK}
   * tenants per transaction, set-based: one query sums the open usage of all of them, the invoices
   * and lines are inserted in JDBC batches. A tenant that cannot be priced is reported and left
   * open; it does not hold back the others.
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
    for (int from = 0; from < tenants.size(); from += CLOSE_CHUNK) {
      List<String> chunk = tenants.subList(from, Math.min(tenants.size(), from + CLOSE_CHUNK));
      outcomes.addAll(QuarkusTransaction.requiringNew().timeout(600).call(() -> closeTogether(chunk, period, closedBy, plans, false)));
    }
    return outcomes;
  }

  /** Tenants closed in one transaction by {@link #closeAll}. */
  static final int CLOSE_CHUNK = 250;

  /**
   * Closes the period for these tenants in the caller's transaction: locks them against
   * ingestion, leaves alone those already invoiced, prices the others' open usage, freezes their
   * invoices and moves their months to the next generation. Outcomes in the order of {@code tenants}.
   * A tenant that cannot be priced is an outcome with the problem, or the exception with {@code rethrow}.
   */
  private List<TenantOutcome> closeTogether(
      List<String> tenants, YearMonth period, String closedBy, List<PricePlan> plans, boolean rethrow) {
    Instant end = periodEnd(period);
    lockTenantsExclusively(tenants);
    Map<String, Invoice> existing = new HashMap<>();
    Invoice.<Invoice>list("period = ?1 and tenantId in ?2", period.toString(), tenants)
        .forEach(invoice -> existing.put(invoice.tenantId, invoice));
    List<String> open = tenants.stream().filter(t -> !existing.containsKey(t)).toList();
    Map<String, List<UsageRow>> usage = openRows(open, end, planBoundaries());
    List<TenantOutcome> outcomes = new ArrayList<>(tenants.size());
    Map<String, List<UsageRow>> invoiced = new LinkedHashMap<>();
    Instant closedAt = Instant.now();
    for (String tenantId : tenants) {
      Invoice already = existing.get(tenantId);
      if (already != null) {
        outcomes.add(new TenantOutcome(tenantId, already.id, false, null));
        continue;
      }
      List<UsageRow> rows = usage.getOrDefault(tenantId, List.of());
      Draft draft;
      try {
        draft = InvoiceCalculator.calculate(tenantId, period, rows, PlanService.planBook(tenantId, plans));
      } catch (RatingException | ProblemException e) {
        if (rethrow) {
          throw e;
        }
        LOG.warnf("could not close %s for tenant %s: %s", period, tenantId, e.getMessage());
        outcomes.add(new TenantOutcome(tenantId, null, false, e.getMessage()));
        continue;
      }
      Invoice invoice = freeze(tenantId, period, closedBy, closedAt, draft);
      invoiced.put(tenantId, rows);
      outcomes.add(new TenantOutcome(tenantId, invoice.id, true, null));
      LOG.debugf("closed %s for tenant %s: %d lines, %s %s", period, tenantId, invoice.lines.size(), invoice.total, invoice.currency);
    }
    advanceGenerations(invoiced);
    Invoice.getEntityManager().flush();
    if (!invoiced.isEmpty()) {
      LOG.infof("closed %s for %d tenant(s)", period, invoiced.size());
    }
    return outcomes;
  }

  private static Invoice freeze(String tenantId, YearMonth period, String closedBy, Instant closedAt, Draft draft) {
    Invoice invoice = new Invoice();
    invoice.tenantId = tenantId;
    invoice.period = period.toString();
    invoice.closedAt = closedAt;
    invoice.closedBy = closedBy;
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
    invoice.persist();
    return invoice;
  }

  /** What the tenant has used in the running month and not yet been invoiced for, priced now. */
  @Transactional(Transactional.TxType.SUPPORTS)
  public Draft runningCost(String tenantId, Instant now) {
    YearMonth period = YearMonth.from(now.atOffset(ZoneOffset.UTC));
    List<UsageRow> rows = openRows(List.of(tenantId), periodEnd(period), planBoundaries()).getOrDefault(tenantId, List.of());
    return InvoiceCalculator.calculate(tenantId, period, rows, PlanService.planBook(tenantId, PricePlan.listAll()));
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Invoice find(long id) {
    Invoice invoice = Invoice.findById(id);
    if (invoice == null) {
      throw ProblemException.notFound("id", "no invoice " + id);
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
      throw ProblemException.conflict("period", period + " has not ended yet; it can be closed from " + periodEnd(period));
    }
  }

  private void lockTenantsExclusively(Collection<String> tenantIds) {
    try (Connection connection = dataSource.getConnection()) {
      UsageGenerations.lockExclusive(connection, tenantIds);
    } catch (SQLException e) {
      throw new IllegalStateException("could not lock tenants " + tenantIds + " for closing: " + e.getMessage(), e);
    }
  }

  /** Moves the months each tenant was invoiced for to their next generation. */
  private void advanceGenerations(Map<String, List<UsageRow>> invoiced) {
    Map<String, Set<YearMonth>> months = new LinkedHashMap<>();
    invoiced.forEach((tenant, rows) -> rows.forEach(
        row -> months.computeIfAbsent(tenant, t -> new TreeSet<>()).add(UsageGenerations.monthOf(row.hour()))));
    if (months.isEmpty()) {
      return;
    }
    try (Connection connection = dataSource.getConnection()) {
      UsageGenerations.advance(connection, months);
    } catch (SQLException e) {
      throw new IllegalStateException("could not close the usage of tenants " + months.keySet() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Every instant at which some tenant's price can change: plan versions taking effect and
   * tenants moving to another plan. Between two of them every rate is constant.
   */
  private String[] planBoundaries() {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(
            "SELECT effective_from FROM price_plan_version UNION SELECT effective_from FROM tenant_plan ORDER BY 1");
        ResultSet result = statement.executeQuery()) {
      List<String> boundaries = new ArrayList<>();
      while (result.next()) {
        boundaries.add(result.getTimestamp(1).toInstant().toString());
      }
      return boundaries.toArray(String[]::new);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the price plans' effective dates: " + e.getMessage(), e);
    }
  }

  /**
   * The tenants' usage not yet invoiced (the open generation of each month) up to {@code end},
   * summed in the database per array, resource, month and stretch of constant prices (between two
   * {@code boundaries}): each sum is one row dated at its first hour, which prices exactly like
   * the hourly rows it replaces, because no rate changes inside a stretch and the calculator adds
   * quantities before it rounds. A month of one-minute samples is 744 rows per array and resource;
   * this reads one.
   */
  private Map<String, List<UsageRow>> openRows(List<String> tenantIds, Instant end, String[] boundaries) {
    Map<String, List<UsageRow>> rows = new HashMap<>();
    if (tenantIds.isEmpty()) {
      return rows;
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(
            "SELECT u.tenant_id, u.array_id, u.resource, min(u.hour), sum(u.quantity) FROM usage_hourly u "
                + "LEFT JOIN usage_generation g ON g.tenant_id = u.tenant_id "
                + "AND g.month = date_trunc('month', u.hour AT TIME ZONE 'UTC')::date "
                + "WHERE u.tenant_id = ANY (?) AND u.hour < ? AND u.generation = COALESCE(g.generation, 0) "
                + "GROUP BY u.tenant_id, u.array_id, u.resource, date_trunc('month', u.hour AT TIME ZONE 'UTC'), "
                + "width_bucket(u.hour, ?::text[]::timestamptz[]) "
                + "ORDER BY 1, 2, 3, 4")) {
      statement.setArray(1, connection.createArrayOf("text", tenantIds.toArray()));
      statement.setTimestamp(2, Timestamp.from(end));
      // instants as ISO-8601 text with their offset: no time zone of the JVM or the session involved
      statement.setArray(3, connection.createArrayOf("text",
          boundaries.length == 0 ? new String[] {Instant.EPOCH.toString()} : boundaries));
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          rows.computeIfAbsent(result.getString(1), t -> new ArrayList<>()).add(
              new UsageRow(result.getString(2), result.getString(3), result.getTimestamp(4).toInstant(), result.getBigDecimal(5)));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("could not read usage of tenants " + tenantIds + ": " + e.getMessage(), e);
    }
  }

  private List<String> tenantsWithOpenUsage(Instant end) {
    List<String> tenants = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(
            "SELECT DISTINCT u.tenant_id FROM usage_hourly u LEFT JOIN usage_generation g ON g.tenant_id = u.tenant_id "
                + "AND g.month = date_trunc('month', u.hour AT TIME ZONE 'UTC')::date "
                + "WHERE u.hour < ? AND u.generation = COALESCE(g.generation, 0) ORDER BY u.tenant_id")) {
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
