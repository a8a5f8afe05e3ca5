package io.strata.engine.tier;

/** The two tiers of a tiered device. */
public enum Tier {
  SSD,
  HDD
}
