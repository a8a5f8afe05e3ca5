package io.strata.controlplane.scheduler;

/** The request cannot be placed; {@link #shortResource} names what is missing. */
public final class PlacementException extends RuntimeException {
  private final String shortResource;

  public PlacementException(String shortResource, String message) {
    super(message);
    this.shortResource = shortResource;
  }

  /** One of: node, vcpu, memory, SSD drives, HDD drives, fault domains. */
  public String shortResource() {
    return shortResource;
  }
}
