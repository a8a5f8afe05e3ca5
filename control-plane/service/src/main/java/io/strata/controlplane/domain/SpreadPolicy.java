package io.strata.controlplane.domain;

/** The fault domain across which an array's drives of one type are spread. */
public enum SpreadPolicy {
  /** At least two storage nodes when two or more drives of a type are asked for. */
  NODE,
  /** At least two zones when two or more drives of a type are asked for. */
  ZONE,
  /** No requirement (single-node development setups). */
  NONE
}
