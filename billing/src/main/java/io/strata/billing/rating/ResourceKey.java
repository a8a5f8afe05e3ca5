package io.strata.billing.rating;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A rated resource: a meter and, for storage and engines, the variant (drive type or engine size).
 * Written {@code storage:SSD}, {@code engine:small}, {@code io}, {@code transfer}, {@code used:SSD}, {@code snapshot} in rollups,
 * plan rates and invoice lines.
 */
public record ResourceKey(Meter meter, String variant) {

  private static final Pattern VARIANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

  public ResourceKey {
    Objects.requireNonNull(meter, "meter");
    boolean needsVariant = meter == Meter.STORAGE || meter == Meter.ENGINE || meter == Meter.USED;
    if (needsVariant && (variant == null || !VARIANT.matcher(variant).matches())) {
      throw new IllegalArgumentException(meter.key() + " needs a drive type or engine size, got " + variant);
    }
    if (!needsVariant && variant != null) {
      throw new IllegalArgumentException(meter.key() + " has no variant");
    }
  }

  public static ResourceKey storage(String driveType) {
    return new ResourceKey(Meter.STORAGE, driveType);
  }

  /** Space written that lives on {@code tier} (SSD or HDD). */
  public static ResourceKey used(String tier) {
    return new ResourceKey(Meter.USED, tier);
  }

  public static ResourceKey engine(String size) {
    return new ResourceKey(Meter.ENGINE, size);
  }

  public static final ResourceKey IO = new ResourceKey(Meter.IO, null);
  public static final ResourceKey TRANSFER = new ResourceKey(Meter.TRANSFER, null);
  /** Space held by snapshots and by volumes in the recycle bin. */
  public static final ResourceKey SNAPSHOT = new ResourceKey(Meter.SNAPSHOT, null);

  public static ResourceKey parse(String text) {
    int colon = text.indexOf(':');
    return colon < 0
        ? new ResourceKey(Meter.byKey(text), null)
        : new ResourceKey(Meter.byKey(text.substring(0, colon)), text.substring(colon + 1));
  }

  /** Words for an invoice line. */
  public String describe() {
    return switch (meter) {
      case STORAGE -> variant + " drive capacity";
      case ENGINE -> "Array engine " + variant;
      case IO -> "I/O operations";
      case TRANSFER -> "Data transferred";
      case USED -> "Space written on " + variant;
      case SNAPSHOT -> "Snapshots and recycle bin";
    };
  }

  @Override
  public String toString() {
    return variant == null ? meter.key() : meter.key() + ":" + variant;
  }
}
