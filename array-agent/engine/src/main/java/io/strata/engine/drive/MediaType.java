package io.strata.engine.drive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a drive is made of: it decides which pools and tiers it may serve. */
public enum MediaType {
  SSD,
  HDD;

  /**
   * The media of a block device from {@code /sys/block/<dev>/queue/rotational} (1 = spinning),
   * or null when {@code device} is not a block device the kernel describes there (a file).
   */
  public static MediaType ofBlockDevice(Path device) {
    return ofBlockDevice(device, Path.of("/sys/block"));
  }

  static MediaType ofBlockDevice(Path device, Path sysBlock) {
    try {
      Path real = device.toRealPath();
      String name = real.getFileName().toString();
      Path flag = sysBlock.resolve(name).resolve("queue/rotational");
      if (!Files.exists(flag)) {
        // A partition (sda1) keeps the flag on its whole disk (sda).
        String disk = name.replaceAll("p?\\d+$", "");
        flag = sysBlock.resolve(disk).resolve("queue/rotational");
      }
      if (!Files.exists(flag)) {
        return null;
      }
      return Files.readString(flag).trim().equals("1") ? HDD : SSD;
    } catch (IOException e) {
      return null;
    }
  }
}
