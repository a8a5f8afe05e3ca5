package io.strata.engine.pool;

import io.strata.engine.drive.Drive;
import io.strata.engine.drive.MediaType;
import io.strata.engine.fake.FailingDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** RAID-5 ({@code parity}) over file drives: any one drive lost (the cases: {@link ParityPoolContract}). */
class ParityPoolTest extends ParityPoolContract {
  static final long SIZE = 12L << 20;
  @TempDir Path dir;

  ParityPoolTest() {
    super(Protection.PARITY, 4, List.of(2), List.of(0), 3);
  }

  @Override
  FailingDevice newDrive(String name) throws IOException {
    return new FailingDevice(Drive.open(name, dir.resolve(name + ".img"), MediaType.HDD, SIZE,
        null));
  }
}
