package io.strata.billing.rating;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;

/**
 * The rounding rules of billing, in one place (docs/billing.md, "Rounding"):
 *
 * <ol>
 *   <li>a line's quantity is its exact base-unit sum divided into billing units, rounded to
 *       {@value #QUANTITY_SCALE} decimals, half up;
 *   <li>its amount is that printed quantity times the rate, rounded once to the currency's minor
 *       unit (2 decimals for EUR and USD, 0 for JPY), half even;
 *   <li>the invoice total is the plain sum of the line amounts, so the lines add up exactly.
 * </ol>
 */
public final class Money {

  public static final int QUANTITY_SCALE = 6;

  public static BigDecimal billingQuantity(BigDecimal baseUnits, Meter meter) {
    return baseUnits.divide(meter.baseUnitsPerBillingUnit(), QUANTITY_SCALE, RoundingMode.HALF_UP);
  }

  public static BigDecimal amount(BigDecimal quantity, BigDecimal rate, Currency currency) {
    return quantity.multiply(rate).setScale(minorDigits(currency), RoundingMode.HALF_EVEN);
  }

  public static BigDecimal zero(Currency currency) {
    return BigDecimal.ZERO.setScale(minorDigits(currency));
  }

  static int minorDigits(Currency currency) {
    return Math.max(0, currency.getDefaultFractionDigits());
  }

  private Money() {}
}
