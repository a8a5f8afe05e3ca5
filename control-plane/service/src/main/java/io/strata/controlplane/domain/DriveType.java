package io.strata.controlplane.domain;

public enum DriveType {
  SSD,
  HDD
}
