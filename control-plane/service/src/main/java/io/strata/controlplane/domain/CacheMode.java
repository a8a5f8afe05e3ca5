package io.strata.controlplane.domain;

public enum CacheMode {
  NONE,
  WRITE_THROUGH,
  WRITE_BACK,
  WRITE_AROUND
}
