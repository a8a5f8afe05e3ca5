package io.strata.controlplane.domain;

/** Pool protection; each level has a minimum drive count and a usable share of raw capacity. */
public enum Protection {
  RAID1(2, 2),
  RAID10(4, 2),
  RAID5(3, 1),
  RAID6(4, 1);

  private final int minDrives;
  private final int evenMultiple;

  Protection(int minDrives, int evenMultiple) {
    this.minDrives = minDrives;
    this.evenMultiple = evenMultiple;
  }

  public int minDrives() {
    return minDrives;
  }

  /** Null when the count fits, otherwise why not. */
  public String checkDriveCount(int count) {
    if (count < minDrives) {
      return name() + " needs at least " + minDrives + " drives";
    }
    if (count % evenMultiple != 0) {
      return name() + " needs an even number of drives";
    }
    return null;
  }

  /** Usable GiB from {@code count} drives of which the smallest has {@code smallestGib}. */
  public long usableGib(int count, long smallestGib) {
    return switch (this) {
      case RAID1, RAID10 -> (count / 2L) * smallestGib;
      case RAID5 -> (count - 1L) * smallestGib;
      case RAID6 -> (count - 2L) * smallestGib;
    };
  }
}
