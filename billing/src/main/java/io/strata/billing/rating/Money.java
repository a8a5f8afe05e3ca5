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

  /**
   * A rate has at most this many digits before the decimal point and {@link #RATE_FRACTION_DIGITS}
   * after it: the columns {@code price_rate.rate} and {@code invoice_line.rate} are checked to
   * these bounds (migration V3), and the API refuses what they would refuse.
   */
  public static final int RATE_INTEGER_DIGITS = 10;

  public static final int RATE_FRACTION_DIGITS = 12;

  /** What the API says of a rate out of those bounds. */
  public static final String RATE_BOUNDS_MESSAGE =
      "must be a decimal number of at most " + RATE_INTEGER_DIGITS + " digits before the point and " + RATE_FRACTION_DIGITS + " after it";

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
