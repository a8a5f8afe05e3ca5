package io.strata.billing.invoice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.billing.invoice.InvoiceCalculator.Draft;
import io.strata.billing.invoice.InvoiceCalculator.UsageRow;
import io.strata.billing.rating.PlanBook;
import io.strata.billing.rating.RatingException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InvoiceCalculatorTest {

  static final Instant JAN = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant OCT = Instant.parse("2026-10-01T00:00:00Z");

  static PlanBook book() {
    var v1 = new PlanBook.PlanVersion("standard", "EUR", 1, JAN,
        Map.of("storage:SSD", new BigDecimal("0.0001875"), "engine:small", new BigDecimal("0.05")));
    var v2 = new PlanBook.PlanVersion("standard", "EUR", 2, OCT,
        Map.of("storage:SSD", new BigDecimal("0.0001875"), "engine:small", new BigDecimal("0.06")));
    var gold = new PlanBook.PlanVersion("gold", "USD", 3, JAN, Map.of("engine:small", new BigDecimal("1")));
    return new PlanBook("acme", "standard", List.of(), Map.of("standard", List.of(v1, v2), "gold", List.of(gold)));
  }

  static UsageRow hour(String array, String resource, String hour, String quantity) {
    return new UsageRow(array, resource, Instant.parse(hour), new BigDecimal(quantity));
  }

  @Test
  void roundsEachLineHalfEvenToCentsAndTheTotalIsTheSumOfTheLines() {
    // 6000 GB-hours x 0.0001875 = 1.125 -> 1.12 (half even); 1000 GB-hours -> 0.1875 -> 0.19
    Draft draft = InvoiceCalculator.calculate("acme", YearMonth.of(2026, 10), List.of(
        hour("a-1", "storage:SSD", "2026-10-01T00:00:00Z", "21600000000000000"),
        hour("a-2", "storage:SSD", "2026-10-01T00:00:00Z", "3600000000000000")), book());
    assertThat(draft.lines()).extracting(InvoiceCalculator.DraftLine::amount)
        .containsExactly(new BigDecimal("1.12"), new BigDecimal("0.19"));
    assertThat(draft.lines().get(0).quantity()).isEqualByComparingTo("6000");
    assertThat(draft.total()).isEqualByComparingTo("1.31");
    assertThat(draft.currency()).isEqualTo("EUR");
  }

  @Test
  void usesTheVersionInEffectEachHourAndMakesEarlierMonthsAdjustments() {
    Draft draft = InvoiceCalculator.calculate("acme", YearMonth.of(2026, 10), List.of(
        hour("a-1", "engine:small", "2026-09-30T23:00:00Z", "3600"),
        hour("a-1", "engine:small", "2026-10-01T00:00:00Z", "3600"),
        hour("a-1", "engine:small", "2026-10-01T01:00:00Z", "1800")), book());
    assertThat(draft.lines()).hasSize(2);
    var regular = draft.lines().get(0);
    assertThat(regular.adjustment()).isFalse();
    assertThat(regular.quantity()).isEqualByComparingTo("1.5");
    assertThat(regular.amount()).isEqualByComparingTo("0.09");
    var adjustment = draft.lines().get(1);
    assertThat(adjustment.adjustment()).isTrue();
    assertThat(adjustment.usagePeriod()).isEqualTo("2026-09");
    assertThat(adjustment.rate()).isEqualByComparingTo("0.05");
    assertThat(adjustment.description()).contains("late usage of 2026-09");
    assertThat(draft.total()).isEqualByComparingTo("0.14");
  }

  @Test
  void refusesToPriceUsageWithoutARateRatherThanBillingZero() {
    assertThatThrownBy(() -> InvoiceCalculator.calculate("acme", YearMonth.of(2026, 10),
            List.of(hour("a-1", "engine:large", "2026-10-01T00:00:00Z", "3600")), book()))
        .isInstanceOf(RatingException.class)
        .hasMessageContaining("no rate for engine:large");
  }

  @Test
  void spaceWrittenByTierIsChargedOnlyByAPlanThatPricesIt() {
    List<UsageRow> rows = List.of(
        hour("a-1", "storage:SSD", "2026-10-01T00:00:00Z", "3600000000000000"),
        hour("a-1", "used:SSD", "2026-10-01T00:00:00Z", "360000000000000"),
        hour("a-1", "used:HDD", "2026-10-01T00:00:00Z", "720000000000000"));
    Draft unpriced = InvoiceCalculator.calculate("acme", YearMonth.of(2026, 10), rows, book());
    assertThat(unpriced.lines()).extracting(InvoiceCalculator.DraftLine::resource).containsExactly("storage:SSD");
    assertThat(unpriced.total()).isEqualByComparingTo("0.19");

    var priced = new PlanBook("acme", "tiered", List.of(), Map.of("tiered", List.of(new PlanBook.PlanVersion(
        "tiered", "EUR", 4, JAN, Map.of("storage:SSD", new BigDecimal("0.0001875"), "used:SSD", new BigDecimal("0.01"))))));
    Draft draft = InvoiceCalculator.calculate("acme", YearMonth.of(2026, 10), rows, priced);
    assertThat(draft.lines()).extracting(InvoiceCalculator.DraftLine::resource).containsExactly("storage:SSD", "used:SSD");
    var used = draft.lines().get(1);
    assertThat(used.quantity()).isEqualByComparingTo("100"); // 10^11 B for an hour = 100 GB-hours
    assertThat(used.description()).isEqualTo("Space written on SSD");
    assertThat(used.amount()).isEqualByComparingTo("1.00");
    assertThat(draft.total()).isEqualByComparingTo("1.19");
  }

  @Test
  void aTenantPlanAppliesFromItsEffectiveDate() {
    var base = book();
    var gold = new PlanBook("acme", "standard", List.of(new PlanBook.Assignment(OCT, "gold")),
        Map.of("standard", List.of(new PlanBook.PlanVersion("standard", "EUR", 1, JAN, Map.of("engine:small", BigDecimal.ONE))),
            "gold", List.of(new PlanBook.PlanVersion("gold", "USD", 3, JAN, Map.of("engine:small", BigDecimal.TEN)))));
    assertThat(gold.rate(OCT.minusSeconds(1), io.strata.billing.rating.ResourceKey.engine("small")).planName()).isEqualTo("standard");
    assertThat(gold.rate(OCT, io.strata.billing.rating.ResourceKey.engine("small")).perUnit()).isEqualByComparingTo("10");
    assertThatThrownBy(() -> InvoiceCalculator.calculate("acme", YearMonth.of(2026, 10), List.of(
            hour("a-1", "engine:small", "2026-09-30T23:00:00Z", "3600"),
            hour("a-1", "engine:small", "2026-10-01T00:00:00Z", "3600")), gold))
        .isInstanceOf(RatingException.class)
        .hasMessageContaining("both EUR and USD");
    assertThat(base.planAt(OCT)).isEqualTo("standard");
  }
}
