package io.strata.controlplane.domain;

public enum TenantState {
  ACTIVE,
  SUSPENDED
}
