package io.strata.billing.rest;

import io.strata.billing.domain.Invoice;
import io.strata.billing.domain.InvoiceLine;
import io.strata.billing.invoice.InvoiceCalculator;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** Invoice bodies: closed invoices and the running (draft) cost share one shape. */
public final class InvoiceViews {

  public record Line(
      int lineNo, String arrayId, String resource, String usagePeriod, boolean adjustment, String description,
      String planName, BigDecimal quantity, String unit, BigDecimal rate, BigDecimal amount) {}

  /** @param status {@code CLOSED} for a frozen invoice, {@code RUNNING} for the open month so far */
  public record InvoiceView(
      Long id, String tenantId, String period, String status, String currency, BigDecimal total,
      Instant closedAt, String closedBy, List<Line> lines) {

    static InvoiceView of(Invoice invoice) {
      return new InvoiceView(invoice.id, invoice.tenantId, invoice.period, "CLOSED", invoice.currency, invoice.total,
          invoice.closedAt, invoice.closedBy, invoice.lines.stream().map(InvoiceViews::line).toList());
    }

    static InvoiceView running(InvoiceCalculator.Draft draft) {
      return new InvoiceView(null, draft.tenantId(), draft.period(), "RUNNING", draft.currency(), draft.total(), null, null,
          draft.lines().stream()
              .map(l -> new Line(l.lineNo(), l.arrayId(), l.resource(), l.usagePeriod(), l.adjustment(), l.description(),
                  l.planName(), l.quantity(), l.unit(), l.rate(), l.amount()))
              .toList());
    }
  }

  /** An invoice without its lines, for lists. */
  public record InvoiceSummary(long id, String tenantId, String period, String currency, BigDecimal total, Instant closedAt, int lines) {
    static InvoiceSummary of(Invoice invoice) {
      return new InvoiceSummary(invoice.id, invoice.tenantId, invoice.period, invoice.currency, invoice.total, invoice.closedAt,
          invoice.lines.size());
    }
  }

  private static Line line(InvoiceLine l) {
    return new Line(l.lineNo, l.arrayId, l.resource, l.usagePeriod, l.adjustment, l.description, l.planName,
        l.quantity, l.unit, l.rate, l.amount);
  }

  private InvoiceViews() {}
}
