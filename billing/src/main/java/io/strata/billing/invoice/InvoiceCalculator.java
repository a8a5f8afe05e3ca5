package io.strata.billing.invoice;

import io.strata.billing.rating.Money;
import io.strata.billing.rating.PlanBook;
import io.strata.billing.rating.RatingException;
import io.strata.billing.rating.ResourceKey;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prices a tenant's hourly rollups for one period: hours in the period become regular lines,
 * hours of earlier periods (usage that arrived after those were closed) become adjustment lines.
 * One line per array, resource, usage month and plan version. Pure: no database.
 */
public final class InvoiceCalculator {

  /** One hourly rollup row, in base units. */
  public record UsageRow(String arrayId, String resource, Instant hour, BigDecimal quantity) {}

  public record DraftLine(
      int lineNo, String arrayId, String resource, String usagePeriod, boolean adjustment, String description,
      String planName, BigDecimal quantity, String unit, BigDecimal rate, BigDecimal amount) {}

  public record Draft(String tenantId, String period, String currency, List<DraftLine> lines, BigDecimal total) {}

  /** Currency of an invoice that has nothing to price and no plan to take one from (ISO 4217 "no currency"). */
  public static final String NO_CURRENCY = "XXX";

  private record LineKey(boolean adjustment, String usagePeriod, String arrayId, String resource, String planName, long versionId) {}

  private static final Comparator<LineKey> LINE_ORDER =
      Comparator.comparing(LineKey::adjustment)
          .thenComparing(LineKey::usagePeriod)
          .thenComparing(LineKey::arrayId)
          .thenComparing(LineKey::resource)
          .thenComparing(LineKey::versionId);

  public static Draft calculate(String tenantId, YearMonth period, List<UsageRow> rows, PlanBook plans) {
    Map<LineKey, BigDecimal> baseQuantities = new TreeMap<>(LINE_ORDER);
    Map<LineKey, PlanBook.Rate> rates = new TreeMap<>(LINE_ORDER);
    String currency = null;
    for (UsageRow row : rows) {
      YearMonth usageMonth = YearMonth.from(row.hour().atOffset(ZoneOffset.UTC));
      if (usageMonth.isAfter(period)) {
        throw new IllegalArgumentException("usage of " + row.hour() + " is after period " + period);
      }
      PlanBook.Rate rate = plans.rateOrNone(row.hour(), ResourceKey.parse(row.resource()));
      if (rate == null) {
        continue; // recorded and shown (GET /usage), not charged by this plan
      }
      if (currency == null) {
        currency = rate.currency();
      } else if (!currency.equals(rate.currency())) {
        throw new RatingException("tenant " + tenantId + " has usage priced in both " + currency + " and " + rate.currency()
            + " for " + period + "; one invoice has one currency");
      }
      LineKey key = new LineKey(usageMonth.isBefore(period), usageMonth.toString(), row.arrayId(), row.resource(),
          rate.planName(), rate.versionId());
      baseQuantities.merge(key, row.quantity(), BigDecimal::add);
      rates.putIfAbsent(key, rate);
    }
    if (currency == null) {
      currency = currencyWithoutUsage(period, plans);
    }
    Currency money = Currency.getInstance(currency);
    List<DraftLine> lines = new ArrayList<>();
    BigDecimal total = Money.zero(money);
    for (Map.Entry<LineKey, BigDecimal> entry : baseQuantities.entrySet()) {
      LineKey key = entry.getKey();
      ResourceKey resource = ResourceKey.parse(key.resource());
      BigDecimal quantity = Money.billingQuantity(entry.getValue(), resource.meter());
      if (quantity.signum() == 0) {
        continue;
      }
      BigDecimal rate = rates.get(key).perUnit();
      BigDecimal amount = Money.amount(quantity, rate, money);
      String description = key.adjustment()
          ? "Adjustment: " + resource.describe() + ", late usage of " + key.usagePeriod()
          : resource.describe();
      lines.add(new DraftLine(lines.size() + 1, key.arrayId(), key.resource(), key.usagePeriod(), key.adjustment(),
          description, key.planName(), quantity, resource.meter().unit(), rate, amount));
      total = total.add(amount);
    }
    return new Draft(tenantId, period.toString(), currency, List.copyOf(lines), total);
  }

  private static String currencyWithoutUsage(YearMonth period, PlanBook plans) {
    try {
      return plans.versionAt(period.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC)).currency();
    } catch (RatingException noPlan) {
      return NO_CURRENCY;
    }
  }

  private InvoiceCalculator() {}
}
