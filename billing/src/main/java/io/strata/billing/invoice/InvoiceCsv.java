package io.strata.billing.invoice;

import io.strata.billing.domain.Invoice;
import io.strata.billing.domain.InvoiceLine;

/**
 * An invoice as CSV (RFC 4180: comma separated, CRLF line ends, fields with commas or quotes
 * quoted). Decimals are written plainly, never in exponent form; the last row is the total.
 */
public final class InvoiceCsv {

  public static final String HEADER =
      "invoice_id,tenant_id,period,line_no,array_id,resource,usage_period,adjustment,description,plan,quantity,unit,rate,amount,currency";

  public static String of(Invoice invoice) {
    StringBuilder csv = new StringBuilder(HEADER).append("\r\n");
    for (InvoiceLine line : invoice.lines) {
      row(csv, invoice.id, invoice.tenantId, invoice.period, line.lineNo, line.arrayId, line.resource, line.usagePeriod,
          line.adjustment, line.description, line.planName, line.quantity.toPlainString(), line.unit,
          line.rate.toPlainString(), line.amount.toPlainString(), invoice.currency);
    }
    row(csv, invoice.id, invoice.tenantId, invoice.period, "", "", "", "", "", "Total", "", "", "", "",
        invoice.total.toPlainString(), invoice.currency);
    return csv.toString();
  }

  private static void row(StringBuilder csv, Object... fields) {
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        csv.append(',');
      }
      csv.append(escape(String.valueOf(fields[i])));
    }
    csv.append("\r\n");
  }

  static String escape(String field) {
    if (field.contains(",") || field.contains("\"") || field.contains("\n") || field.contains("\r")) {
      return '"' + field.replace("\"", "\"\"") + '"';
    }
    return field;
  }

  private InvoiceCsv() {}
}
