package io.strata.controlplane.domain;

/** Named engine sizes: the CPU and memory share an array engine reserves on its node. */
public enum EngineSize {
  E01(1, 4),
  E02(2, 8),
  E04(4, 16),
  E08(8, 32);

  private final int vcpus;
  private final int memoryGib;

  EngineSize(int vcpus, int memoryGib) {
    this.vcpus = vcpus;
    this.memoryGib = memoryGib;
  }

  public int vcpus() {
    return vcpus;
  }

  public int memoryGib() {
    return memoryGib;
  }
}
