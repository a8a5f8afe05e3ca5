package io.strata.controlplane.domain;

public enum DriveState {
  AVAILABLE,
  FAILED,
  RETIRED
}
