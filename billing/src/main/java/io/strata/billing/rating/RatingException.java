package io.strata.billing.rating;

/** Usage that cannot be priced (no plan, no rate for a resource, mixed currencies): never billed as zero. */
public class RatingException extends RuntimeException {
  public RatingException(String message) {
    super(message);
  }
}
