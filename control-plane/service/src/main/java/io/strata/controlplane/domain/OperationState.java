package io.strata.controlplane.domain;

public enum OperationState {
  PENDING,
  SUCCEEDED,
  FAILED
}
