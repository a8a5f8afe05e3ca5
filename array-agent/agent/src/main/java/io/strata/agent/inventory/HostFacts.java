package io.strata.agent.inventory;

import java.lang.management.ManagementFactory;

/** CPU and memory of this host, as the control plane's scheduler needs them. */
public record HostFacts(int cpuCores, long memoryMib) {

  public static HostFacts ofThisHost() {
    long bytes = 0;
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      bytes = os.getTotalMemorySize();
    }
    return new HostFacts(Runtime.getRuntime().availableProcessors(), bytes >> 20);
  }
}
