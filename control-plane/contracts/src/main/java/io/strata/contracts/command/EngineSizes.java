package io.strata.contracts.command;

import java.util.List;

/**
 * The engine sizes the control plane offers ({@link ArrayDesiredState.EngineSpec#size()}), which
 * are also the variants of billing's engine meter ({@code engine:E01} ...). Billing's default
 * demo plan and the examples of docs/billing.md are checked against this list, and the control
 * plane's own enum of sizes is tested to equal it, so a price plan cannot be keyed by a size that
 * no agent ever reports (docs/billing.md once priced {@code engine:small}).
 */
public final class EngineSizes {
  private EngineSizes() {}

  public static final List<String> ALL = List.of("E01", "E02", "E04", "E08");
}
